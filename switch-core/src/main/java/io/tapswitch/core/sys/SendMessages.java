package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code sendmmsg(2)} arguments of a bound socket, allocated once: per slot a
 * {@code struct mmsghdr} with no address and one {@code iovec}, pointing at a frame that stays where
 * it was read.
 *
 * <p>An AF_PACKET socket bound to its interface needs no destination, so queuing a frame is two
 * buffer writes (where it is, how long) and sending a burst of them is one native call that takes
 * primitives and allocates nothing, instead of one {@code sendto} per frame.
 *
 * <p>Not thread-safe: an instance belongs to the one thread that queues into it and sends it.
 */
public final class SendMessages {
    private final int slots;
    private final ByteBuffer scratch;
    private final long address;

    public SendMessages(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, was " + slots);
        }
        this.slots = slots;
        this.scratch = ByteBuffer.allocateDirect(slots * (Socket.SIZEOF_MMSGHDR + Socket.SIZEOF_IOVEC))
                .order(ByteOrder.nativeOrder());
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(scratch));
        for (int i = 0; i < slots; i++) {
            int msg = i * Socket.SIZEOF_MMSGHDR;
            scratch.putLong(msg + Socket.MSG_NAME, 0);
            scratch.putInt(msg + Socket.MSG_NAMELEN, 0);
            scratch.putLong(msg + Socket.MSG_IOV, address + iovec(i));
            scratch.putLong(msg + Socket.MSG_IOVLEN, 1);
            scratch.putLong(msg + Socket.MSG_CONTROL, 0);
            scratch.putLong(msg + Socket.MSG_CONTROLLEN, 0);
        }
    }

    public int slots() {
        return slots;
    }

    private int iovec(int slot) {
        return slots * Socket.SIZEOF_MMSGHDR + slot * Socket.SIZEOF_IOVEC;
    }

    /** Points slot {@code slot} at {@code len} bytes at native address {@code base}. */
    public void set(int slot, long base, long len) {
        if (slot < 0 || slot >= slots) {
            throw new IndexOutOfBoundsException("slot " + slot + " of " + slots);
        }
        int iov = iovec(slot);
        scratch.putLong(iov + Socket.IOV_BASE, base);
        scratch.putLong(iov + Socket.IOV_LEN, len);
        int msg = slot * Socket.SIZEOF_MMSGHDR;
        scratch.putInt(msg + Socket.MSG_FLAGS, 0);
        scratch.putInt(msg + Socket.MMSG_LEN, 0);
    }

    /** The address slot {@code slot} points at. */
    public long base(int slot) {
        return scratch.getLong(iovec(slot) + Socket.IOV_BASE);
    }

    /** The byte count slot {@code slot} sends. */
    public long length(int slot) {
        return scratch.getLong(iovec(slot) + Socket.IOV_LEN);
    }

    /**
     * One non-blocking {@code sendmmsg} of the {@code count} slots from {@code from} on {@code fd};
     * returns how many were sent (the kernel stops at the first it cannot send), or -1 with errno set
     * when the first could not be sent.
     */
    public int sendMany(int fd, int from, int count) {
        if (from < 0 || count < 1 || from + count > slots) {
            throw new IndexOutOfBoundsException("slots " + from + "+" + count + " of " + slots);
        }
        return Socket.sendmmsg(fd, address + (long) from * Socket.SIZEOF_MMSGHDR, count, Socket.MSG_DONTWAIT);
    }
}
