package io.tapswitch.core.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * An array of {@code struct epoll_event} in native memory, allocated once, with named accessors:
 * what {@code epoll_wait(2)} fills in, read back without a {@code Structure} and without allocating.
 * The byte layout lives in {@link Epoll}, next to the header it comes from.
 *
 * <p>Not thread-safe: an array belongs to the one thread that waits with it.
 */
public final class EpollEvents {
    private final Memory memory;
    private final long address;
    private final int capacity;

    public EpollEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.memory = new Memory((long) capacity * Epoll.SIZEOF_EPOLL_EVENT);
        this.memory.clear();
        this.address = Pointer.nativeValue(memory);
    }

    public int capacity() {
        return capacity;
    }

    /** Native address of the first entry. */
    public long address() {
        return address;
    }

    /** The events the kernel reported for entry {@code i} ({@link Epoll#EPOLLIN} and so on). */
    public int events(int i) {
        return memory.getInt(offset(i) + Epoll.EVENT_EVENTS);
    }

    /** The {@code data} the descriptor of entry {@code i} was registered with. */
    public long data(int i) {
        return memory.getLong(offset(i) + Epoll.EVENT_DATA);
    }

    /** Fills entry {@code i}, as {@code epoll_ctl} reads its one entry. */
    public void set(int i, int events, long data) {
        memory.setInt(offset(i) + Epoll.EVENT_EVENTS, events);
        memory.setLong(offset(i) + Epoll.EVENT_DATA, data);
    }

    private long offset(int i) {
        if (i < 0 || i >= capacity) {
            throw new IndexOutOfBoundsException("entry " + i + " of " + capacity);
        }
        return (long) i * Epoll.SIZEOF_EPOLL_EVENT;
    }
}
