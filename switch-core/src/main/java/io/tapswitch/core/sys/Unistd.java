package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * {@code unistd.h}, {@code fcntl.h} and {@code sys/eventfd.h}: the calls every fd owner needs.
 *
 * <p>Buffers are passed as raw addresses ({@code long}) so that the per-frame calls take primitives
 * only and JNA has nothing to marshal or allocate.
 */
public final class Unistd {
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Unistd() {
    }

    public static native int open(String pathname, int flags);

    public static native int close(int fd);

    public static native long read(int fd, long buf, long count);

    public static native long write(int fd, long buf, long count);

    /** {@code dup3(2)}: makes {@code newfd} refer to {@code oldfd}'s file, atomically, keeping its number. */
    public static native int dup3(int oldfd, int newfd, int flags);

    public static native int eventfd(int initval, int flags);

    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
}
