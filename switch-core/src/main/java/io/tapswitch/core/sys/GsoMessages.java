package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@code sendmmsg} message array for UDP segmentation offload: messages gathered from any number
 * of pieces out of one shared iovec pool, each addressed on its own and each optionally carrying a
 * {@link Udp#UDP_SEGMENT} control message, so one system call can send several runs of
 * equal-sized datagrams (a 64 KB frame's VXLAN datagrams need two runs at a 1500-byte MTU: one UDP
 * send carries at most {@link Udp#MAX_IPV4_PAYLOAD} bytes).
 *
 * <p>Unlike {@link DatagramMessage}, whose slots have a fixed number of pieces each, the pieces
 * here are handed out in order: {@link #begin} opens the next message at the pool's cursor and
 * {@link #add} appends to it, so a message of 44 datagrams can use 88 pieces and a one-datagram
 * message two. Filled in place with primitive writes into a direct buffer; nothing allocates after
 * construction.
 *
 * <p>Layout: {@code struct mmsghdr[messages]}, then per message a {@code sockaddr_in} and room for
 * one control message with a {@code uint16_t}, then {@code struct iovec[pieces]}.
 */
public final class GsoMessages {
    private static final int CONTROL_SPACE = Socket.cmsgSpace(2);
    private static final int PER_MESSAGE = In.SIZEOF_SOCKADDR_IN + CONTROL_SPACE;

    private final int messages;
    private final int pieces;
    private final ByteBuffer scratch;
    private final long address;
    private final int extraAt;
    private final int iovAt;
    private int count;
    private int cursor;

    /** Room for {@code messages} messages gathered from {@code pieces} pieces in all. */
    public GsoMessages(int messages, int pieces) {
        if (messages < 1 || pieces < 1) {
            throw new IllegalArgumentException("messages and pieces must be at least 1, were " + messages + ", " + pieces);
        }
        this.messages = messages;
        this.pieces = pieces;
        this.extraAt = messages * Socket.SIZEOF_MMSGHDR;
        this.iovAt = extraAt + messages * PER_MESSAGE;
        this.scratch = ByteBuffer.allocateDirect(iovAt + pieces * Socket.SIZEOF_IOVEC).order(ByteOrder.nativeOrder());
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(scratch));
        for (int m = 0; m < messages; m++) {
            int msg = m * Socket.SIZEOF_MMSGHDR;
            int extra = extraAt + m * PER_MESSAGE;
            scratch.putLong(msg + Socket.MSG_NAME, address + extra);
            scratch.putInt(msg + Socket.MSG_NAMELEN, In.SIZEOF_SOCKADDR_IN);
            // The control message's fixed part; only its data changes per message.
            int cmsg = extra + In.SIZEOF_SOCKADDR_IN;
            scratch.putLong(cmsg, Socket.cmsgLen(2));
            scratch.putInt(cmsg + Socket.CMSG_LEVEL, Udp.SOL_UDP);
            scratch.putInt(cmsg + Socket.CMSG_TYPE, Udp.UDP_SEGMENT);
        }
    }

    /** Forgets every message: the next {@link #begin} is message 0 at piece 0. */
    public void clear() {
        count = 0;
        cursor = 0;
    }

    /** Messages begun since {@link #clear}. */
    public int count() {
        return count;
    }

    /** Pieces left in the pool. */
    public int piecesLeft() {
        return pieces - cursor;
    }

    /** Messages left. */
    public int messagesLeft() {
        return messages - count;
    }

    /**
     * Begins the next message, to {@code destination}:{@code port}, cut into datagrams of
     * {@code segmentSize} bytes by the kernel (0: one datagram, no control message); its pieces are
     * the ones {@link #add}ed until the next {@code begin}. Returns its index.
     */
    public int begin(int destination, int port, int segmentSize) {
        if (count == messages) {
            throw new IndexOutOfBoundsException("message " + count + " of " + messages);
        }
        int m = count++;
        int msg = m * Socket.SIZEOF_MMSGHDR;
        int extra = extraAt + m * PER_MESSAGE;
        In.putSockaddrIn(scratch, extra, destination, port);
        scratch.putLong(msg + Socket.MSG_IOV, address + iovAt + (long) cursor * Socket.SIZEOF_IOVEC);
        scratch.putLong(msg + Socket.MSG_IOVLEN, 0);
        if (segmentSize > 0) {
            scratch.putShort(extra + In.SIZEOF_SOCKADDR_IN + Socket.CMSG_DATA, (short) segmentSize);
            scratch.putLong(msg + Socket.MSG_CONTROL, address + extra + In.SIZEOF_SOCKADDR_IN);
            scratch.putLong(msg + Socket.MSG_CONTROLLEN, CONTROL_SPACE);
        } else {
            scratch.putLong(msg + Socket.MSG_CONTROL, 0);
            scratch.putLong(msg + Socket.MSG_CONTROLLEN, 0);
        }
        scratch.putInt(msg + Socket.MSG_FLAGS, 0);
        scratch.putInt(msg + Socket.MMSG_LEN, 0);
        return m;
    }

    /** Appends {@code len} bytes at native address {@code base} to the message begun last. */
    public void add(long base, long len) {
        if (count == 0 || cursor == pieces) {
            throw new IndexOutOfBoundsException("piece " + cursor + " of " + pieces + " in message " + (count - 1));
        }
        int iov = iovAt + cursor++ * Socket.SIZEOF_IOVEC;
        scratch.putLong(iov + Socket.IOV_BASE, base);
        scratch.putLong(iov + Socket.IOV_LEN, len);
        int msg = (count - 1) * Socket.SIZEOF_MMSGHDR;
        scratch.putLong(msg + Socket.MSG_IOVLEN, scratch.getLong(msg + Socket.MSG_IOVLEN) + 1);
    }

    /**
     * One non-blocking {@code sendmmsg} of the messages from {@code from} to the last begun; returns
     * how many were sent, or -1 with errno set when the first could not be.
     */
    public int send(int fd, int from) {
        if (from < 0 || from >= count) {
            throw new IndexOutOfBoundsException("messages " + from + ".." + count);
        }
        return Socket.sendmmsg(fd, address + (long) from * Socket.SIZEOF_MMSGHDR, count - from, Socket.MSG_DONTWAIT);
    }

    /** The segment size message {@code m} was begun with (0: none). */
    public int segmentSize(int m) {
        int msg = m * Socket.SIZEOF_MMSGHDR;
        if (scratch.getLong(msg + Socket.MSG_CONTROLLEN) == 0) {
            return 0;
        }
        return scratch.getShort(extraAt + m * PER_MESSAGE + In.SIZEOF_SOCKADDR_IN + Socket.CMSG_DATA) & 0xffff;
    }

    /** How many pieces message {@code m} is gathered from. */
    public int pieces(int m) {
        return (int) scratch.getLong(m * Socket.SIZEOF_MMSGHDR + Socket.MSG_IOVLEN);
    }

    /** The bytes of message {@code m}, all its pieces together. */
    public long length(int m) {
        int msg = m * Socket.SIZEOF_MMSGHDR;
        long iov = scratch.getLong(msg + Socket.MSG_IOV) - address;
        long total = 0;
        for (int p = 0; p < pieces(m); p++) {
            total += scratch.getLong((int) iov + p * Socket.SIZEOF_IOVEC + Socket.IOV_LEN);
        }
        return total;
    }

    /** Native address of piece {@code p} of message {@code m}. */
    public long pieceBase(int m, int p) {
        long iov = scratch.getLong(m * Socket.SIZEOF_MMSGHDR + Socket.MSG_IOV) - address;
        return scratch.getLong((int) iov + p * Socket.SIZEOF_IOVEC + Socket.IOV_BASE);
    }

    /** Length of piece {@code p} of message {@code m}. */
    public long pieceLength(int m, int p) {
        long iov = scratch.getLong(m * Socket.SIZEOF_MMSGHDR + Socket.MSG_IOV) - address;
        return scratch.getLong((int) iov + p * Socket.SIZEOF_IOVEC + Socket.IOV_LEN);
    }

    /** The destination address message {@code m} was begun with. */
    public int destinationAddress(int m) {
        return In.sinAddress(scratch, extraAt + m * PER_MESSAGE);
    }

    /** The destination port message {@code m} was begun with. */
    public int destinationPort(int m) {
        return In.sinPort(scratch, extraAt + m * PER_MESSAGE);
    }
}
