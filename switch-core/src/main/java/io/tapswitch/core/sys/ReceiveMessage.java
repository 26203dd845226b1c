package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code recvmsg(2)} / {@code recvmmsg(2)} arguments of one AF_PACKET reader, allocated once:
 * per slot a {@code struct mmsghdr} (a {@code msghdr} and the kernel's byte count), one
 * {@code iovec}, a {@code sockaddr_ll} for the sender's address and a control buffer for the
 * {@code PACKET_AUXDATA} message.
 *
 * <p>An AF_PACKET socket reports two things beside the frame that the switch needs: the packet type
 * (was this frame transmitted by the interface rather than received?) in the address, and the VLAN
 * tag the kernel may have taken out of the frame in the auxiliary data. Both arrive only through
 * {@code recvmsg}, whose arguments are structures; keeping them in one direct buffer, filled with
 * plain buffer writes and passed by address, lets every frame be read with one native call that
 * takes primitives and allocates nothing. With several slots, one {@code recvmmsg} reads up to that
 * many queued frames, each into its own buffer: one system call for a burst instead of one per frame.
 *
 * <p>Not thread-safe: it belongs to the port's single reading thread. The kernel's lengths are
 * bounds-checked before anything they describe is read.
 */
public final class ReceiveMessage {
    static final int CONTROL_LEN = 64;

    /** {@code struct mmsghdr}: a {@code msghdr}, then {@code unsigned int msg_len}, padded to 8. */
    private static final int SIZEOF_MMSGHDR = Socket.SIZEOF_MSGHDR + 8;
    private static final int MMSG_LEN = Socket.SIZEOF_MSGHDR;

    /*
     * Layout: the array of mmsghdr the kernel walks comes first, one per slot, contiguous; behind
     * it, per slot, the iovec, address and control buffer its msghdr points to.
     */
    private static final int IOV = 0;
    private static final int NAME = IOV + Socket.SIZEOF_IOVEC;
    private static final int CONTROL = NAME + 24;
    private static final int EXTRA = CONTROL + CONTROL_LEN;

    private final int slots;
    private final ByteBuffer scratch;
    private final long address;

    private int auxStatus;
    private int vlanTci;
    private int vlanTpid;

    /** One slot: for {@link #receive(int, long, long)}. */
    public ReceiveMessage() {
        this(1);
    }

    /** {@code slots} messages for {@link #receiveMany}; slot 0 also serves {@link #receive}. */
    public ReceiveMessage(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, was " + slots);
        }
        this.slots = slots;
        this.scratch = ByteBuffer.allocateDirect(slots * (SIZEOF_MMSGHDR + EXTRA))
                .order(ByteOrder.nativeOrder());
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(scratch));
        for (int i = 0; i < slots; i++) {
            int msg = msghdr(i);
            int extra = extra(i);
            scratch.putLong(msg + Socket.MSG_NAME, address + extra + NAME);
            scratch.putLong(msg + Socket.MSG_IOV, address + extra + IOV);
            scratch.putLong(msg + Socket.MSG_IOVLEN, 1);
            scratch.putLong(msg + Socket.MSG_CONTROL, address + extra + CONTROL);
        }
    }

    /** Offset of slot {@code slot}'s mmsghdr (its msghdr first). */
    private static int msghdr(int slot) {
        return slot * SIZEOF_MMSGHDR;
    }

    /** Offset of slot {@code slot}'s iovec, address and control buffer. */
    private int extra(int slot) {
        return slots * SIZEOF_MMSGHDR + slot * EXTRA;
    }

    /** Points slot {@code slot} at a buffer of {@code len} bytes and resets what the kernel fills in. */
    public void prepare(int slot, long buf, long len) {
        int msg = msghdr(slot);
        int extra = extra(slot);
        scratch.putLong(extra + IOV + Socket.IOV_BASE, buf);
        scratch.putLong(extra + IOV + Socket.IOV_LEN, len);
        scratch.putInt(msg + Socket.MSG_NAMELEN, IfPacket.SIZEOF_SOCKADDR_LL);
        scratch.putLong(msg + Socket.MSG_CONTROLLEN, CONTROL_LEN);
        scratch.putInt(msg + Socket.MSG_FLAGS, 0);
        scratch.putInt(msg + MMSG_LEN, 0);
        scratch.put(extra + NAME + IfPacket.SLL_PKTTYPE, (byte) IfPacket.PACKET_HOST);
    }

    /**
     * One non-blocking {@code recvmsg} of at most {@code len} bytes into {@code buf}; returns the
     * byte count, or -1 with errno set. The address and auxiliary data are then available from this
     * object (slot 0) until the next call.
     */
    public long receive(int fd, long buf, long len) {
        prepare(0, buf, len);
        return Socket.recvmsg(fd, address + msghdr(0), Socket.MSG_DONTWAIT);
    }

    /**
     * One non-blocking {@code recvmmsg} into the first {@code count} slots, each {@link #prepare}d;
     * returns how many frames arrived (their lengths by {@link #length}), or -1 with errno set.
     */
    public int receiveMany(int fd, int count) {
        return Socket.recvmmsg(fd, address + msghdr(0), Math.min(count, slots), Socket.MSG_DONTWAIT, 0);
    }

    /** The byte count the kernel reported for slot {@code slot} after {@link #receiveMany}. */
    public long length(int slot) {
        return scratch.getInt(msghdr(slot) + MMSG_LEN) & 0xffffffffL;
    }

    /** Whether slot {@code slot}'s frame was longer than its buffer and was cut short. */
    public boolean truncated(int slot) {
        return (scratch.getInt(msghdr(slot) + Socket.MSG_FLAGS) & Socket.MSG_TRUNC) != 0;
    }

    /** {@code sll_pkttype} of slot {@code slot}'s frame; {@code PACKET_HOST} when the kernel gave no address. */
    public int packetType(int slot) {
        if (scratch.getInt(msghdr(slot) + Socket.MSG_NAMELEN) <= IfPacket.SLL_PKTTYPE) {
            return IfPacket.PACKET_HOST;
        }
        return scratch.get(extra(slot) + NAME + IfPacket.SLL_PKTTYPE) & 0xff;
    }

    /** Reads the auxiliary data of slot {@code slot}; false when there was none. */
    public boolean readAuxdata(int slot) {
        long controlLen = scratch.getLong(msghdr(slot) + Socket.MSG_CONTROLLEN);
        return readAuxdata(scratch, extra(slot) + CONTROL, (int) Math.min(Math.max(controlLen, 0), CONTROL_LEN));
    }

    /**
     * Finds the {@code PACKET_AUXDATA} message among the control messages in
     * {@code buf[control, control + controlLen)} and keeps its status and VLAN fields.
     */
    public boolean readAuxdata(ByteBuffer buf, int control, int controlLen) {
        auxStatus = 0;
        vlanTci = 0;
        vlanTpid = 0;
        int at = 0;
        while (at + Socket.SIZEOF_CMSGHDR <= controlLen) {
            long len = buf.getLong(control + at);
            if (len < Socket.SIZEOF_CMSGHDR || len > controlLen - at) {
                return false;
            }
            if (buf.getInt(control + at + Socket.CMSG_LEVEL) == IfPacket.SOL_PACKET
                    && buf.getInt(control + at + Socket.CMSG_TYPE) == IfPacket.PACKET_AUXDATA
                    && len >= Socket.cmsgLen(IfPacket.SIZEOF_TPACKET_AUXDATA)) {
                int data = control + at + Socket.CMSG_DATA;
                auxStatus = buf.getInt(data + IfPacket.TP_STATUS);
                vlanTci = buf.getShort(data + IfPacket.TP_VLAN_TCI) & 0xffff;
                vlanTpid = buf.getShort(data + IfPacket.TP_VLAN_TPID) & 0xffff;
                return true;
            }
            at += (int) ((len + Socket.CMSG_ALIGN - 1) & -Socket.CMSG_ALIGN);
        }
        return false;
    }

    /** {@code tp_status} of the last auxiliary data read. */
    public int auxStatus() {
        return auxStatus;
    }

    /** {@code tp_vlan_tci} of the last auxiliary data read. */
    public int vlanTci() {
        return vlanTci;
    }

    /** {@code tp_vlan_tpid} of the last auxiliary data read. */
    public int vlanTpid() {
        return vlanTpid;
    }
}
