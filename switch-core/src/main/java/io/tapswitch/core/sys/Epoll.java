package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * {@code sys/epoll.h}. {@code event} and {@code events} are addresses of {@code struct epoll_event}
 * arrays that the caller keeps in native memory ({@link EpollEvents}), so that waiting is one native
 * call with primitive arguments that allocates nothing.
 *
 * <p>{@code struct epoll_event} is {@code uint32_t events; epoll_data_t data;}. On x86-64 the kernel
 * declares it packed (12 bytes, {@code data} at offset 4) so that 32- and 64-bit processes share one
 * layout; every other architecture aligns {@code data} to 8 (16 bytes).
 */
public final class Epoll {
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;

    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;

    public static final int EPOLL_CLOEXEC = 0x80000;

    private static final boolean PACKED = Platform.isIntel() && Platform.is64Bit();
    /** {@code sizeof(struct epoll_event)} and the offsets of its two fields. */
    public static final int SIZEOF_EPOLL_EVENT = PACKED ? 12 : 16;
    public static final int EVENT_EVENTS = 0;
    public static final int EVENT_DATA = PACKED ? 4 : 8;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Epoll() {
    }

    public static native int epoll_create1(int flags);

    public static native int epoll_ctl(int epfd, int op, int fd, long event);

    public static native int epoll_wait(int epfd, long events, int maxevents, int timeout);
}
