package io.tapswitch.core.port;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.tapswitch.core.sys.IfPacket;
import io.tapswitch.core.sys.Socket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code recvmsg(2)} arguments of one AF_PACKET reader, allocated once: a {@code msghdr}, one
 * {@code iovec}, a {@code sockaddr_ll} for the sender's address and a control buffer for the
 * {@code PACKET_AUXDATA} message.
 *
 * <p>An AF_PACKET socket reports two things beside the frame that the switch needs: the packet type
 * (was this frame transmitted by the interface rather than received?) in the address, and the VLAN
 * tag the kernel may have taken out of the frame in the auxiliary data. Both arrive only through
 * {@code recvmsg}, whose arguments are structures; keeping them in one direct buffer, filled with
 * plain buffer writes and passed by address, lets every frame be read with one native call that
 * takes primitives and allocates nothing.
 *
 * <p>Not thread-safe: it belongs to the port's single reading thread. The kernel's lengths are
 * bounds-checked before anything they describe is read.
 */
final class ReceiveMessage {
    static final int CONTROL_LEN = 64;

    private static final int MSGHDR = 0;
    private static final int IOV = MSGHDR + Socket.SIZEOF_MSGHDR;
    private static final int NAME = IOV + Socket.SIZEOF_IOVEC;
    private static final int CONTROL = NAME + 24;
    private static final int SIZE = CONTROL + CONTROL_LEN;

    private final ByteBuffer scratch = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
    private final long address = Pointer.nativeValue(Native.getDirectBufferPointer(scratch));

    private int auxStatus;
    private int vlanTci;
    private int vlanTpid;

    ReceiveMessage() {
        scratch.putLong(MSGHDR + Socket.MSG_NAME, address + NAME);
        scratch.putLong(MSGHDR + Socket.MSG_IOV, address + IOV);
        scratch.putLong(MSGHDR + Socket.MSG_IOVLEN, 1);
        scratch.putLong(MSGHDR + Socket.MSG_CONTROL, address + CONTROL);
    }

    /**
     * One non-blocking {@code recvmsg} of at most {@code len} bytes into {@code buf}; returns the
     * byte count, or -1 with errno set. The address and auxiliary data are then available from this
     * object until the next call.
     */
    long receive(int fd, long buf, long len) {
        scratch.putLong(IOV + Socket.IOV_BASE, buf);
        scratch.putLong(IOV + Socket.IOV_LEN, len);
        scratch.putInt(MSGHDR + Socket.MSG_NAMELEN, IfPacket.SIZEOF_SOCKADDR_LL);
        scratch.putLong(MSGHDR + Socket.MSG_CONTROLLEN, CONTROL_LEN);
        scratch.putInt(MSGHDR + Socket.MSG_FLAGS, 0);
        scratch.put(NAME + IfPacket.SLL_PKTTYPE, (byte) IfPacket.PACKET_HOST);
        return Socket.recvmsg(fd, address + MSGHDR, Socket.MSG_DONTWAIT);
    }

    /** Whether the frame was longer than the buffer and was cut short. */
    boolean truncated() {
        return (scratch.getInt(MSGHDR + Socket.MSG_FLAGS) & Socket.MSG_TRUNC) != 0;
    }

    /** {@code sll_pkttype} of the last frame; {@code PACKET_HOST} when the kernel gave no address. */
    int packetType() {
        if (scratch.getInt(MSGHDR + Socket.MSG_NAMELEN) <= IfPacket.SLL_PKTTYPE) {
            return IfPacket.PACKET_HOST;
        }
        return scratch.get(NAME + IfPacket.SLL_PKTTYPE) & 0xff;
    }

    /** Reads the auxiliary data of the last frame; false when there was none. */
    boolean readAuxdata() {
        long controlLen = scratch.getLong(MSGHDR + Socket.MSG_CONTROLLEN);
        return readAuxdata(scratch, CONTROL, (int) Math.min(Math.max(controlLen, 0), CONTROL_LEN));
    }

    /**
     * Finds the {@code PACKET_AUXDATA} message among the control messages in
     * {@code buf[control, control + controlLen)} and keeps its status and VLAN fields.
     */
    boolean readAuxdata(ByteBuffer buf, int control, int controlLen) {
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
    int auxStatus() {
        return auxStatus;
    }

    /** {@code tp_vlan_tci} of the last auxiliary data read. */
    int vlanTci() {
        return vlanTci;
    }

    /** {@code tp_vlan_tpid} of the last auxiliary data read. */
    int vlanTpid() {
        return vlanTpid;
    }
}
