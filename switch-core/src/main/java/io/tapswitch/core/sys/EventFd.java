package io.tapswitch.core.sys;

import com.sun.jna.Memory;

/**
 * A Linux eventfd used to wake a thread blocked in {@code poll(2)}.
 *
 * <p>Threads that read frames block in poll on their port's fd and on one of these; signalling it is
 * how shutdown and reconfiguration reach them promptly, without interrupts and without closing an fd
 * another thread may still be reading.
 */
public final class EventFd implements AutoCloseable {
    private final FileDescriptor fd;
    private final Memory value = new Memory(8);

    public EventFd() throws NativeException {
        int n = Errno.check("eventfd", Unistd.eventfd(0, Unistd.EFD_CLOEXEC | Unistd.EFD_NONBLOCK));
        this.fd = new FileDescriptor(n, "eventfd");
    }

    public int fd() {
        return fd.fd();
    }

    /** Makes the eventfd readable, waking every poller. Safe from any thread, at any time. */
    public void signal() {
        synchronized (value) {
            value.setLong(0, 1L);
            Unistd.write(fd.fd(), com.sun.jna.Pointer.nativeValue(value), 8);
        }
    }

    /** Consumes pending signals so that the next poll blocks again. */
    public void drain() {
        synchronized (value) {
            Unistd.read(fd.fd(), com.sun.jna.Pointer.nativeValue(value), 8);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
