package io.tapswitch.core.sys;

/**
 * One epoll instance: the set of descriptors a thread waits on, and the wait.
 *
 * <p>The descriptor is the instance's own (closed by {@link #close()}, idempotently); registration
 * uses a one-entry {@link EpollEvents} kept for the set's life, so adding and removing descriptors
 * allocates nothing either. Level-triggered registration is used throughout: a descriptor that still
 * has data after its reader stopped (a budget reached) is reported again by the next wait, so the
 * reader never has to remember which descriptors it left unfinished.
 *
 * <p>Not thread-safe: a set belongs to the thread that waits on it; only that thread changes it.
 */
public final class EpollSet implements AutoCloseable {
    private final FileDescriptor fd;
    private final EpollEvents control = new EpollEvents(1);

    public EpollSet() throws NativeException {
        this.fd = new FileDescriptor(Errno.check("epoll_create1", Epoll.epoll_create1(Epoll.EPOLL_CLOEXEC)), "epoll");
    }

    public int fd() {
        return fd.fd();
    }

    /** Waits for input on {@code target}, reported with {@code data}; returns 0 or a negated errno. */
    public int add(int target, int events, long data) {
        control.set(0, events, data);
        return Epoll.epoll_ctl(fd.fd(), Epoll.EPOLL_CTL_ADD, target, control.address()) == 0 ? 0 : -Errno.last();
    }

    /** As {@link #add(int, int, long)}, for the control path: a failure throws, naming {@code what}. */
    public void addOrThrow(int target, int events, long data, String what) throws NativeException {
        control.set(0, events, data);
        Errno.check("epoll_ctl(EPOLL_CTL_ADD)", Epoll.epoll_ctl(fd.fd(), Epoll.EPOLL_CTL_ADD, target, control.address()), what);
    }

    /** Stops waiting on {@code target}; returns 0 or a negated errno (ENOENT when it was not in the set). */
    public int remove(int target) {
        return Epoll.epoll_ctl(fd.fd(), Epoll.EPOLL_CTL_DEL, target, control.address()) == 0 ? 0 : -Errno.last();
    }

    /**
     * {@code epoll_wait(2)} into {@code events}: how many entries were filled, 0 when
     * {@code timeoutMillis} passed first (-1 waits for ever) or a signal interrupted the wait, or a
     * negated errno.
     */
    public int wait(EpollEvents events, int timeoutMillis) {
        int n = Epoll.epoll_wait(fd.fd(), events.address(), events.capacity(), timeoutMillis);
        if (n >= 0) {
            return n;
        }
        int errno = Errno.last();
        return errno == Errno.EINTR ? 0 : -errno;
    }

    @Override
    public void close() {
        fd.close();
    }
}
