package io.tapswitch.core.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * An array of {@code struct pollfd} in native memory, allocated once, with named accessors.
 *
 * <p>{@code poll(2)} takes the array by address and writes each entry's {@code revents} into it.
 * Keeping the array for the poller's whole life makes every poll one native call that takes only
 * primitives and allocates nothing, and the accessors keep the structure's byte offsets in
 * {@link Poll}, next to the kernel header they come from, instead of in every poller.
 *
 * <p>Not thread-safe: an array belongs to the one thread that polls with it.
 */
public final class PollFds {
    /** What {@link #failed(int)} looks for: the conditions poll reports whether asked or not. */
    private static final int ERROR_EVENTS = Poll.POLLERR | Poll.POLLHUP | Poll.POLLNVAL;

    private final Memory memory;
    private final long address;
    private final int size;

    /** An array of {@code size} entries, each ignored by poll (fd -1) until {@link #set} fills it. */
    public PollFds(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
        this.size = size;
        this.memory = new Memory((long) size * Poll.SIZEOF_POLLFD);
        this.address = Pointer.nativeValue(memory);
        for (int i = 0; i < size; i++) {
            set(i, -1, 0);
        }
    }

    public int size() {
        return size;
    }

    /**
     * Makes entry {@code i} wait for {@code events} (such as {@link Poll#POLLIN}) on {@code fd} and
     * clears what the previous poll reported for it. A negative fd is ignored by poll, as the kernel
     * defines, which is what a closed port's {@code pollFd()} of -1 needs.
     */
    public void set(int i, int fd, int events) {
        long at = offset(i);
        memory.setInt(at + Poll.POLLFD_FD, fd);
        memory.setShort(at + Poll.POLLFD_EVENTS, (short) events);
        memory.setShort(at + Poll.POLLFD_REVENTS, (short) 0);
    }

    public int fd(int i) {
        return memory.getInt(offset(i) + Poll.POLLFD_FD);
    }

    /** What the last poll reported for entry {@code i}. */
    public int revents(int i) {
        return memory.getShort(offset(i) + Poll.POLLFD_REVENTS) & 0xffff;
    }

    /** Whether the last poll found entry {@code i} readable ({@link Poll#POLLIN}). */
    public boolean readable(int i) {
        return (revents(i) & Poll.POLLIN) != 0;
    }

    /**
     * Whether the last poll reported an error condition on entry {@code i}: POLLERR, POLLHUP or
     * POLLNVAL, which poll reports even when not asked for them.
     */
    public boolean failed(int i) {
        return (revents(i) & ERROR_EVENTS) != 0;
    }

    /**
     * {@code poll(2)} on every entry: the number of entries with something to report, 0 when
     * {@code timeoutMillis} passed first (-1 waits for ever), or -1 with errno set.
     */
    public int poll(int timeoutMillis) {
        return Poll.poll(address, size, timeoutMillis);
    }

    /** {@code poll(2)} on the {@code count} entries from {@code from} only, as {@link #poll(int)}. */
    public int poll(int from, int count, int timeoutMillis) {
        if (from < 0 || count < 1 || from + count > size) {
            throw new IndexOutOfBoundsException("entries " + from + "+" + count + " of " + size);
        }
        return Poll.poll(address + offset(from), count, timeoutMillis);
    }

    private long offset(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("entry " + i + " of " + size);
        }
        return (long) i * Poll.SIZEOF_POLLFD;
    }
}
