package io.tapswitch.core.sys;

import com.sun.jna.Native;

/**
 * The one place where a failed system call becomes an exception.
 *
 * <p>Bindings are declared without {@code throws LastErrorException}: JNA then still records errno
 * per thread, and we read it with {@link Native#getLastError()}. That keeps the expected, frequent
 * outcomes (EAGAIN on a drained non-blocking fd, EINTR) free of exception allocation on the frame
 * path, while every unexpected outcome still surfaces as a {@link NativeException} built here.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENOBUFS = 105;
    public static final int ENETDOWN = 100;
    public static final int EBADFD = 77;

    private Errno() {
    }

    /** The errno of the last native call made by this thread. */
    public static int last() {
        return Native.getLastError();
    }

    /**
     * Returns {@code result} when it is not negative, and otherwise throws for the current errno.
     * For control-path calls: EINTR is not special here. Frame-path calls on non-blocking descriptors
     * do not throw; they read {@link #last()} and ask {@link #isTransient(int)}.
     */
    public static int check(String call, int result) throws NativeException {
        if (result < 0) {
            throw new NativeException(call, last(), null);
        }
        return result;
    }

    /** Like {@link #check(String, int)}, naming the object the call was about (a device, a path). */
    public static int check(String call, int result, String detail) throws NativeException {
        if (result < 0) {
            throw new NativeException(call, last(), detail);
        }
        return result;
    }

    /**
     * Whether a failed call on a non-blocking descriptor only means "nothing now": EAGAIN (the
     * queue is empty or full) or EINTR (a signal arrived first). Neither says anything about the
     * device, and both are answered the same way, by polling and trying again; every frame-path
     * caller asks this one question, so no two of them can disagree about what a failure means.
     */
    public static boolean isTransient(int errno) {
        return errno == EAGAIN || errno == EINTR;
    }

    /**
     * The errno's symbolic name and the C library's words for it, as in "ENETDOWN Network is down",
     * the form every {@link NativeException} message uses. For log lines about an errno that a
     * frame-path call returned as a number: describing it needs no exception.
     */
    public static String describe(int errno) {
        String name = switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case EMSGSIZE -> "EMSGSIZE";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENOBUFS -> "ENOBUFS";
            case ENETDOWN -> "ENETDOWN";
            case EBADFD -> "EBADFD";
            default -> "errno " + errno;
        };
        String text;
        try {
            text = Libc.strerror(errno);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            text = null;
        }
        return text == null ? name : name + " " + text;
    }
}
