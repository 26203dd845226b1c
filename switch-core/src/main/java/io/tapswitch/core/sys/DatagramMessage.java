package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code recvmmsg(2)} / {@code sendmmsg(2)} arguments of an IPv4 datagram socket, allocated
 * once: per slot a {@code struct mmsghdr}, up to a fixed number of {@code iovec}s and a
 * {@code sockaddr_in} (where the kernel puts a received datagram's sender, or where the caller puts
 * a sent one's destination).
 *
 * <p>A VXLAN endpoint needs both directions in bursts: one {@code recvmmsg} reads up to a slot count
 * of datagrams, each into its own frame, and tells who sent each; one {@code sendmmsg} sends every
 * segment of a 64 KB GSO frame. Keeping the whole argument block in one direct buffer, filled by
 * plain buffer writes and passed by address, makes each burst one native call that takes primitives
 * and allocates nothing. Sending gathers each datagram from several pieces (headers built in a
 * scratch buffer, the payload left where it is in the frame), which is why a slot has several
 * {@code iovec}s.
 *
 * <p>Not thread-safe: an instance belongs to one thread at a time (the endpoint's reading thread, or
 * whoever holds the send scratch it is part of). The kernel's lengths are read back as unsigned and
 * bounds-checked by the callers before they describe anything read.
 */
public final class DatagramMessage {
    private final int slots;
    private final int iovecs;
    private final int extraSize;
    private final ByteBuffer scratch;
    private final long address;

    /*
     * Layout: the array of mmsghdr the kernel walks comes first, contiguous; behind it, per slot, the
     * sockaddr_in and then the iovecs its msghdr points to.
     */
    private static final int NAME = 0;
    private static final int IOV = In.SIZEOF_SOCKADDR_IN;

    /**
     * @param slots  how many datagrams one call may carry
     * @param iovecs how many pieces one datagram may be gathered from (1 for receiving)
     */
    public DatagramMessage(int slots, int iovecs) {
        if (slots < 1 || iovecs < 1) {
            throw new IllegalArgumentException("slots and iovecs must be at least 1, were " + slots + ", " + iovecs);
        }
        this.slots = slots;
        this.iovecs = iovecs;
        this.extraSize = IOV + iovecs * Socket.SIZEOF_IOVEC;
        this.scratch = ByteBuffer.allocateDirect(slots * (Socket.SIZEOF_MMSGHDR + extraSize)).order(ByteOrder.nativeOrder());
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(scratch));
        for (int i = 0; i < slots; i++) {
            int msg = msghdr(i);
            int extra = extra(i);
            scratch.putLong(msg + Socket.MSG_NAME, address + extra + NAME);
            scratch.putInt(msg + Socket.MSG_NAMELEN, In.SIZEOF_SOCKADDR_IN);
            scratch.putLong(msg + Socket.MSG_IOV, address + extra + IOV);
            scratch.putLong(msg + Socket.MSG_IOVLEN, 1);
            scratch.putLong(msg + Socket.MSG_CONTROL, 0);
            scratch.putLong(msg + Socket.MSG_CONTROLLEN, 0);
        }
    }

    public int slots() {
        return slots;
    }

    public int iovecs() {
        return iovecs;
    }

    private static int msghdr(int slot) {
        return slot * Socket.SIZEOF_MMSGHDR;
    }

    private int extra(int slot) {
        return slots * Socket.SIZEOF_MMSGHDR + slot * extraSize;
    }

    private int iovec(int slot, int piece) {
        return extra(slot) + IOV + piece * Socket.SIZEOF_IOVEC;
    }

    /**
     * Points slot {@code slot} at a buffer of {@code len} bytes for receiving, and resets what the
     * kernel fills in (sender, length, flags).
     */
    public void prepareReceive(int slot, long buf, long len) {
        int msg = msghdr(slot);
        int iov = iovec(slot, 0);
        scratch.putLong(iov + Socket.IOV_BASE, buf);
        scratch.putLong(iov + Socket.IOV_LEN, len);
        scratch.putLong(msg + Socket.MSG_IOVLEN, 1);
        scratch.putInt(msg + Socket.MSG_NAMELEN, In.SIZEOF_SOCKADDR_IN);
        scratch.putInt(msg + Socket.MSG_FLAGS, 0);
        scratch.putInt(msg + Socket.MMSG_LEN, 0);
        scratch.putInt(extra(slot) + NAME + In.SIN_ADDR, 0);
        scratch.putShort(extra(slot) + NAME + In.SIN_PORT, (short) 0);
    }

    /**
     * Addresses slot {@code slot} to {@code destination}:{@code port} and gives it {@code pieces}
     * iovecs, to be set with {@link #setPiece} before sending.
     */
    public void prepareSend(int slot, int destination, int port, int pieces) {
        if (pieces < 1 || pieces > iovecs) {
            throw new IndexOutOfBoundsException("pieces " + pieces + " of " + iovecs);
        }
        int msg = msghdr(slot);
        In.putSockaddrIn(scratch, extra(slot) + NAME, destination, port);
        scratch.putInt(msg + Socket.MSG_NAMELEN, In.SIZEOF_SOCKADDR_IN);
        scratch.putLong(msg + Socket.MSG_IOVLEN, pieces);
        scratch.putInt(msg + Socket.MSG_FLAGS, 0);
        scratch.putInt(msg + Socket.MMSG_LEN, 0);
    }

    /** Sets piece {@code piece} of slot {@code slot} to {@code len} bytes at native address {@code base}. */
    public void setPiece(int slot, int piece, long base, long len) {
        int iov = iovec(slot, piece);
        scratch.putLong(iov + Socket.IOV_BASE, base);
        scratch.putLong(iov + Socket.IOV_LEN, len);
    }

    /**
     * One non-blocking {@code recvmmsg} into the first {@code count} slots, each prepared with
     * {@link #prepareReceive}; returns how many datagrams arrived, or -1 with errno set.
     */
    public int receiveMany(int fd, int count) {
        return Socket.recvmmsg(fd, address, Math.min(count, slots), Socket.MSG_DONTWAIT, 0);
    }

    /**
     * One non-blocking {@code sendmmsg} of the {@code count} slots from {@code from}, each prepared
     * with {@link #prepareSend}; returns how many were sent, or -1 with errno set.
     */
    public int sendMany(int fd, int from, int count) {
        if (from < 0 || count < 1 || from + count > slots) {
            throw new IndexOutOfBoundsException("slots " + from + "+" + count + " of " + slots);
        }
        return Socket.sendmmsg(fd, address + msghdr(from), count, Socket.MSG_DONTWAIT);
    }

    /** The byte count the kernel reported for slot {@code slot}. */
    public long length(int slot) {
        return scratch.getInt(msghdr(slot) + Socket.MMSG_LEN) & 0xffffffffL;
    }

    /** Whether slot {@code slot}'s datagram was longer than its buffer and was cut short. */
    public boolean truncated(int slot) {
        return (scratch.getInt(msghdr(slot) + Socket.MSG_FLAGS) & Socket.MSG_TRUNC) != 0;
    }

    /** The sender's IPv4 address of slot {@code slot}'s datagram (0 when the kernel gave none). */
    public int sourceAddress(int slot) {
        if (scratch.getInt(msghdr(slot) + Socket.MSG_NAMELEN) < In.SIN_ADDR + 4) {
            return 0;
        }
        return In.sinAddress(scratch, extra(slot) + NAME);
    }

    /** The sender's UDP port of slot {@code slot}'s datagram. */
    public int sourcePort(int slot) {
        if (scratch.getInt(msghdr(slot) + Socket.MSG_NAMELEN) < In.SIN_PORT + 2) {
            return 0;
        }
        return In.sinPort(scratch, extra(slot) + NAME);
    }

    /** How many pieces slot {@code slot} carries (for tests and diagnostics). */
    public int pieces(int slot) {
        return (int) scratch.getLong(msghdr(slot) + Socket.MSG_IOVLEN);
    }

    /** Native address of piece {@code piece} of slot {@code slot}. */
    public long pieceBase(int slot, int piece) {
        return scratch.getLong(iovec(slot, piece) + Socket.IOV_BASE);
    }

    /** Length of piece {@code piece} of slot {@code slot}. */
    public long pieceLength(int slot, int piece) {
        return scratch.getLong(iovec(slot, piece) + Socket.IOV_LEN);
    }

    /** The destination address slot {@code slot} was prepared with. */
    public int destinationAddress(int slot) {
        return In.sinAddress(scratch, extra(slot) + NAME);
    }

    /** The destination port slot {@code slot} was prepared with. */
    public int destinationPort(int slot) {
        return In.sinPort(scratch, extra(slot) + NAME);
    }
}
