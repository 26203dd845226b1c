package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * {@code poll.h}. {@code fds} is the address of an array of {@code struct pollfd}
 * ({@code int fd; short events; short revents;}, 8 bytes each) that the caller keeps in native
 * memory; {@link PollFds} is such an array with named accessors.
 */
public final class Poll {
    public static final int POLLIN = 0x001;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;

    /** {@code struct pollfd}: its size and the offsets of {@code fd}, {@code events} and {@code revents}. */
    public static final int SIZEOF_POLLFD = 8;
    public static final int POLLFD_FD = 0;
    public static final int POLLFD_EVENTS = 4;
    public static final int POLLFD_REVENTS = 6;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Poll() {
    }

    public static native int poll(long fds, long nfds, int timeout);
}
