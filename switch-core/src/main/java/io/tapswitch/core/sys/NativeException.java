package io.tapswitch.core.sys;

import java.io.IOException;

/**
 * A failed system call, carrying the errno the kernel returned.
 *
 * <p>Callers that must react to a specific condition (an interface that vanished, a device that is
 * busy) test {@link #errno()} against the constants in {@link Errno} rather than parsing messages.
 */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String call;

    NativeException(String call, int errno, String detail) {
        super(call + ": " + Errno.describe(errno) + (detail == null ? "" : " (" + detail + ")"));
        this.call = call;
        this.errno = errno;
    }

    /** The errno value reported by the failed call. */
    public int errno() {
        return errno;
    }

    /** The name of the system call (or ioctl) that failed, as it appears in the kernel headers. */
    public String call() {
        return call;
    }
}
