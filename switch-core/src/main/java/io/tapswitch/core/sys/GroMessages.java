package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code recvmmsg(2)} arguments of an IPv4 UDP socket with {@link Udp#UDP_GRO} set: per slot a
 * {@code struct mmsghdr}, one {@code iovec}, a {@code sockaddr_in} for the sender and room for the
 * control message in which the kernel says at what size a coalesced read is to be cut again.
 *
 * <p>With {@code UDP_GRO}, one read may return many datagrams of one UDP flow back to back (all of
 * {@link #segmentSize} bytes but the last); without the control message, a read is one datagram.
 * Allocated once in a direct buffer and passed by address; nothing allocates per read. Not
 * thread-safe: it belongs to the socket's reading thread.
 */
public final class GroMessages {
    private static final int CONTROL_SPACE = 64;
    private static final int PER_SLOT = In.SIZEOF_SOCKADDR_IN + Socket.SIZEOF_IOVEC + CONTROL_SPACE;

    private final int slots;
    private final ByteBuffer scratch;
    private final long address;
    private final int extraAt;

    public GroMessages(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, was " + slots);
        }
        this.slots = slots;
        this.extraAt = slots * Socket.SIZEOF_MMSGHDR;
        this.scratch = ByteBuffer.allocateDirect(extraAt + slots * PER_SLOT).order(ByteOrder.nativeOrder());
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(scratch));
        for (int i = 0; i < slots; i++) {
            int msg = i * Socket.SIZEOF_MMSGHDR;
            int extra = extra(i);
            scratch.putLong(msg + Socket.MSG_NAME, address + extra);
            scratch.putLong(msg + Socket.MSG_IOV, address + extra + In.SIZEOF_SOCKADDR_IN);
            scratch.putLong(msg + Socket.MSG_IOVLEN, 1);
        }
    }

    private int extra(int slot) {
        return extraAt + slot * PER_SLOT;
    }

    public int slots() {
        return slots;
    }

    /** Points slot {@code slot} at {@code len} bytes at native address {@code buf}, and resets what the kernel fills in. */
    public void prepare(int slot, long buf, long len) {
        int msg = slot * Socket.SIZEOF_MMSGHDR;
        int extra = extra(slot);
        int iov = extra + In.SIZEOF_SOCKADDR_IN;
        scratch.putLong(iov + Socket.IOV_BASE, buf);
        scratch.putLong(iov + Socket.IOV_LEN, len);
        scratch.putInt(msg + Socket.MSG_NAMELEN, In.SIZEOF_SOCKADDR_IN);
        scratch.putLong(msg + Socket.MSG_CONTROL, address + iov + Socket.SIZEOF_IOVEC);
        scratch.putLong(msg + Socket.MSG_CONTROLLEN, CONTROL_SPACE);
        scratch.putInt(msg + Socket.MSG_FLAGS, 0);
        scratch.putInt(msg + Socket.MMSG_LEN, 0);
        scratch.putInt(extra + In.SIN_ADDR, 0);
        scratch.putShort(extra + In.SIN_PORT, (short) 0);
    }

    /** One non-blocking {@code recvmmsg} into the first {@code count} slots; how many arrived, or -1 with errno set. */
    public int receive(int fd, int count) {
        return Socket.recvmmsg(fd, address, Math.min(count, slots), Socket.MSG_DONTWAIT, 0);
    }

    /** The bytes the kernel put in slot {@code slot}. */
    public long length(int slot) {
        return scratch.getInt(slot * Socket.SIZEOF_MMSGHDR + Socket.MMSG_LEN) & 0xffffffffL;
    }

    /** Whether slot {@code slot}'s read was longer than its buffer and was cut short. */
    public boolean truncated(int slot) {
        return (scratch.getInt(slot * Socket.SIZEOF_MMSGHDR + Socket.MSG_FLAGS) & Socket.MSG_TRUNC) != 0;
    }

    /**
     * The size at which slot {@code slot}'s read is cut into datagrams, from its {@code UDP_GRO}
     * control message; 0 when it has none (one datagram). Control messages are walked within the
     * length the kernel reported, each one's length checked before it is read.
     */
    public int segmentSize(int slot) {
        int msg = slot * Socket.SIZEOF_MMSGHDR;
        long controlLen = Math.min(scratch.getLong(msg + Socket.MSG_CONTROLLEN), CONTROL_SPACE);
        int control = extra(slot) + In.SIZEOF_SOCKADDR_IN + Socket.SIZEOF_IOVEC;
        int at = 0;
        while (at + Socket.SIZEOF_CMSGHDR <= controlLen) {
            long len = scratch.getLong(control + at);
            if (len < Socket.SIZEOF_CMSGHDR || at + len > controlLen) {
                return 0;
            }
            if (scratch.getInt(control + at + Socket.CMSG_LEVEL) == Udp.SOL_UDP
                    && scratch.getInt(control + at + Socket.CMSG_TYPE) == Udp.UDP_GRO && len >= Socket.cmsgLen(4)) {
                return Math.max(0, scratch.getInt(control + at + Socket.CMSG_DATA));
            }
            at += (int) ((len + Socket.CMSG_ALIGN - 1) & -Socket.CMSG_ALIGN);
        }
        return 0;
    }

    /** The sender's IPv4 address (0 when the kernel gave none). */
    public int sourceAddress(int slot) {
        if (scratch.getInt(slot * Socket.SIZEOF_MMSGHDR + Socket.MSG_NAMELEN) < In.SIN_ADDR + 4) {
            return 0;
        }
        return In.sinAddress(scratch, extra(slot));
    }

    /** The sender's UDP port. */
    public int sourcePort(int slot) {
        if (scratch.getInt(slot * Socket.SIZEOF_MMSGHDR + Socket.MSG_NAMELEN) < In.SIN_PORT + 2) {
            return 0;
        }
        return In.sinPort(scratch, extra(slot));
    }
}
