package io.tapswitch.core.sys;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sole owner of one kernel file descriptor.
 *
 * <p>Closing is idempotent and race-free: the descriptor number is swapped to -1 exactly once, so a
 * second close (from a shutdown hook racing a normal stop, say) can never close a number the kernel
 * has meanwhile handed to someone else. Readers of {@link #fd()} on the frame path see -1 after close
 * and fail with EBADF instead of touching a recycled descriptor.
 */
public final class FileDescriptor implements AutoCloseable {
    private final AtomicInteger fd;
    private final String what;

    /** Takes ownership of {@code fd}; {@code what} names it in errors and logs. */
    public FileDescriptor(int fd, String what) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        this.fd = new AtomicInteger(fd);
        this.what = what;
    }

    /** The descriptor, or -1 once closed. */
    public int fd() {
        return fd.get();
    }

    /**
     * Makes this descriptor number refer to {@code replacement}'s file and closes the replacement.
     * Other threads holding the number (senders) then reach the new file; the number itself is
     * never free in between, so it cannot be handed to anyone else.
     */
    public void replaceWith(FileDescriptor replacement) throws NativeException {
        int n = fd();
        try {
            Errno.check("dup3", Unistd.dup3(replacement.fd(), n, Unistd.O_CLOEXEC), what);
        } finally {
            replacement.close();
        }
    }

    @Override
    public void close() {
        int n = fd.getAndSet(-1);
        if (n >= 0) {
            Unistd.close(n);
        }
    }

    @Override
    public String toString() {
        return what + "[fd " + fd.get() + "]";
    }
}
