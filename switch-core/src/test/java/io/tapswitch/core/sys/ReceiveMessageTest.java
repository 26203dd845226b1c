package io.tapswitch.core.sys;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/** Control-message parsing against hand-built {@code cmsghdr} sequences, as the kernel lays them out. */
class ReceiveMessageTest {
    private static final int BASE = 8;

    private static ByteBuffer control() {
        return ByteBuffer.allocate(BASE + 256).order(ByteOrder.nativeOrder());
    }

    /** Writes one control message at {@code at} and returns where the next one starts. */
    private static int put(ByteBuffer b, int at, int level, int type, byte[] data) {
        b.putLong(BASE + at, Socket.cmsgLen(data.length));
        b.putInt(BASE + at + Socket.CMSG_LEVEL, level);
        b.putInt(BASE + at + Socket.CMSG_TYPE, type);
        for (int i = 0; i < data.length; i++) {
            b.put(BASE + at + Socket.CMSG_DATA + i, data[i]);
        }
        return at + Socket.cmsgSpace(data.length);
    }

    private static byte[] auxdata(int status, int tci, int tpid) {
        ByteBuffer a = ByteBuffer.allocate(IfPacket.SIZEOF_TPACKET_AUXDATA).order(ByteOrder.nativeOrder());
        a.putInt(IfPacket.TP_STATUS, status);
        a.putInt(IfPacket.TP_LEN, 1514);
        a.putInt(IfPacket.TP_SNAPLEN, 1514);
        a.putShort(IfPacket.TP_MAC, (short) 0);
        a.putShort(IfPacket.TP_NET, (short) 14);
        a.putShort(IfPacket.TP_VLAN_TCI, (short) tci);
        a.putShort(IfPacket.TP_VLAN_TPID, (short) tpid);
        return a.array();
    }

    @Test
    void layoutMatchesTheKernelHeaders() {
        assertThat(Socket.cmsgLen(IfPacket.SIZEOF_TPACKET_AUXDATA)).isEqualTo(36);
        assertThat(Socket.cmsgSpace(IfPacket.SIZEOF_TPACKET_AUXDATA)).isEqualTo(40);
        assertThat(Socket.cmsgSpace(IfPacket.SIZEOF_TPACKET_AUXDATA)).isLessThanOrEqualTo(ReceiveMessage.CONTROL_LEN);
        assertThat(IfPacket.TP_VLAN_TPID + 2).isEqualTo(IfPacket.SIZEOF_TPACKET_AUXDATA);
        assertThat(IfPacket.SLL_ADDR + 8).isEqualTo(IfPacket.SIZEOF_SOCKADDR_LL);
        assertThat(IfPacket.MR_ADDRESS + 8).isEqualTo(IfPacket.SIZEOF_PACKET_MREQ);
        assertThat(Socket.MSG_FLAGS + 8).isEqualTo(Socket.SIZEOF_MSGHDR);
    }

    @Test
    void readsTheAuxdataMessage() {
        ByteBuffer b = control();
        int len = put(b, 0, IfPacket.SOL_PACKET, IfPacket.PACKET_AUXDATA, auxdata(0x51, 0xa064, 0x88a8));
        ReceiveMessage m = new ReceiveMessage();

        assertThat(m.readAuxdata(b, BASE, len)).isTrue();

        assertThat(m.auxStatus()).isEqualTo(0x51);
        assertThat(m.vlanTci()).isEqualTo(0xa064);
        assertThat(m.vlanTpid()).isEqualTo(0x88a8);
    }

    @Test
    void skipsOtherMessagesToFindIt() {
        ByteBuffer b = control();
        int next = put(b, 0, Socket.SOL_SOCKET, 29, new byte[16]);
        int len = put(b, next, IfPacket.SOL_PACKET, IfPacket.PACKET_AUXDATA, auxdata(0x10, 5, 0));
        ReceiveMessage m = new ReceiveMessage();

        assertThat(m.readAuxdata(b, BASE, len)).isTrue();
        assertThat(m.vlanTci()).isEqualTo(5);
    }

    @Test
    void rejectsLengthsTheBufferCannotHold() {
        ReceiveMessage m = new ReceiveMessage();
        ByteBuffer b = control();
        int len = put(b, 0, IfPacket.SOL_PACKET, IfPacket.PACKET_AUXDATA, auxdata(0x10, 5, 0));

        assertThat(m.readAuxdata(b, BASE, len - 8)).as("message cut by the control length").isFalse();
        assertThat(m.vlanTci()).isZero();

        b.putLong(BASE, 4);
        assertThat(m.readAuxdata(b, BASE, len)).as("cmsg_len shorter than its header").isFalse();

        b.putLong(BASE, 1L << 40);
        assertThat(m.readAuxdata(b, BASE, len)).as("cmsg_len beyond the buffer").isFalse();

        assertThat(m.readAuxdata(b, BASE, 0)).as("no control data").isFalse();
    }

    @Test
    void ignoresAShortAuxdataMessage() {
        ByteBuffer b = control();
        int len = put(b, 0, IfPacket.SOL_PACKET, IfPacket.PACKET_AUXDATA, new byte[8]);
        assertThat(new ReceiveMessage().readAuxdata(b, BASE, len)).isFalse();
    }
}
