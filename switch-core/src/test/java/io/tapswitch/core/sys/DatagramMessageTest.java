package io.tapswitch.core.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The datagram message layout against the kernel: sockaddr_in bytes as {@code netinet/in.h} lays
 * them out, and a real {@code sendmmsg}/{@code recvmmsg} round trip between two UDP sockets on the
 * loopback interface (no privileges needed), gathered from several pieces and read back with its
 * sender's address.
 */
class DatagramMessageTest {
    private static final int LOOPBACK = 0x7f000001;

    @Test
    void layoutMatchesTheKernelHeaders() {
        assertThat(Socket.SIZEOF_MMSGHDR).isEqualTo(64);
        assertThat(Socket.MMSG_LEN).isEqualTo(56);
        assertThat(In.SIN_ZERO + 8).isEqualTo(In.SIZEOF_SOCKADDR_IN);
    }

    @Test
    void sockaddrInHasFamilyInHostOrderAndPortAndAddressInNetworkOrder() {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            ByteBuffer b = ByteBuffer.allocate(20).order(order);
            b.put(0, (byte) 0xee);
            In.putSockaddrIn(b, 2, 0xc6130201, 4789);
            byte[] bytes = new byte[16];
            b.get(2, bytes);
            assertThat(bytes).containsExactly(2, 0, 0x12, (byte) 0xb5, (byte) 198, 19, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0);
            assertThat(In.sinAddress(b, 2)).isEqualTo(0xc6130201);
            assertThat(In.sinPort(b, 2)).isEqualTo(4789);
            assertThat(b.get(0)).as("nothing written before").isEqualTo((byte) 0xee);
        }
        assertThat(In.format(0xc6130201)).isEqualTo("198.19.2.1");
        assertThat(In.address(new byte[] {(byte) 198, 18, 0, 7})).isEqualTo(0xc6120007);
    }

    @Test
    void sendsGatheredDatagramsInOneCallAndReceivesThemWithTheirSender() throws Exception {
        try (FileDescriptor a = udpSocket(); FileDescriptor b = udpSocket()) {
            int portA = boundPort(a);
            int portB = boundPort(b);
            ByteBuffer data = ByteBuffer.allocateDirect(256);
            long base = Pointer.nativeValue(Native.getDirectBufferPointer(data));
            for (int i = 0; i < 256; i++) {
                data.put(i, (byte) i);
            }
            DatagramMessage out = new DatagramMessage(4, 3);
            out.prepareSend(0, LOOPBACK, portB, 2);
            out.setPiece(0, 0, base, 10);
            out.setPiece(0, 1, base + 100, 20);
            out.prepareSend(1, LOOPBACK, portB, 1);
            out.setPiece(1, 0, base + 200, 5);
            assertThat(out.pieces(0)).isEqualTo(2);
            assertThat(out.destinationPort(0)).isEqualTo(portB);
            assertThat(out.sendMany(a.fd(), 0, 2)).isEqualTo(2);

            ByteBuffer in = ByteBuffer.allocateDirect(2 * 64);
            long inBase = Pointer.nativeValue(Native.getDirectBufferPointer(in));
            DatagramMessage rx = new DatagramMessage(4, 1);
            rx.prepareReceive(0, inBase, 64);
            rx.prepareReceive(1, inBase + 64, 64);
            int n = 0;
            for (int tries = 0; tries < 100 && n == 0; tries++) {
                n = rx.receiveMany(b.fd(), 2);
                if (n <= 0) {
                    n = 0;
                    Thread.sleep(10);
                }
            }
            assertThat(n).isEqualTo(2);
            assertThat(rx.length(0)).isEqualTo(30);
            assertThat(rx.length(1)).isEqualTo(5);
            assertThat(rx.truncated(0)).isFalse();
            assertThat(rx.sourceAddress(0)).isEqualTo(LOOPBACK);
            assertThat(rx.sourcePort(0)).isEqualTo(portA);
            assertThat(in.get(0)).isEqualTo((byte) 0);
            assertThat(in.get(9)).isEqualTo((byte) 9);
            assertThat(in.get(10)).isEqualTo((byte) 100);
            assertThat(in.get(29)).isEqualTo((byte) 119);
            assertThat(in.get(64)).isEqualTo((byte) 200);

            rx.prepareReceive(0, inBase, 64);
            assertThat(rx.receiveMany(b.fd(), 1)).as("nothing left").isEqualTo(-1);
            assertThat(Errno.isTransient(Errno.last())).isTrue();
        }
    }

    @Test
    void aDatagramLongerThanItsBufferIsReportedTruncated() throws Exception {
        try (FileDescriptor a = udpSocket(); FileDescriptor b = udpSocket()) {
            int portB = boundPort(b);
            ByteBuffer data = ByteBuffer.allocateDirect(100);
            long base = Pointer.nativeValue(Native.getDirectBufferPointer(data));
            DatagramMessage out = new DatagramMessage(1, 1);
            out.prepareSend(0, LOOPBACK, portB, 1);
            out.setPiece(0, 0, base, 100);
            assertThat(out.sendMany(a.fd(), 0, 1)).isEqualTo(1);
            DatagramMessage rx = new DatagramMessage(1, 1);
            int n = -1;
            for (int tries = 0; tries < 100 && n <= 0; tries++) {
                rx.prepareReceive(0, base, 40);
                n = rx.receiveMany(b.fd(), 1);
                if (n <= 0) {
                    Thread.sleep(10);
                }
            }
            assertThat(n).isEqualTo(1);
            assertThat(rx.truncated(0)).isTrue();
        }
    }

    private static FileDescriptor udpSocket() throws NativeException {
        FileDescriptor fd = new FileDescriptor(Errno.check("socket", Socket.socket(Socket.AF_INET,
                Socket.SOCK_DGRAM | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, In.IPPROTO_UDP)), "udp");
        Memory sa = new Memory(In.SIZEOF_SOCKADDR_IN);
        In.putSockaddrIn(sa.getByteBuffer(0, In.SIZEOF_SOCKADDR_IN), 0, LOOPBACK, 0);
        Errno.check("bind", Socket.bind(fd.fd(), sa, In.SIZEOF_SOCKADDR_IN));
        return fd;
    }

    private static int boundPort(FileDescriptor fd) throws NativeException {
        Memory sa = new Memory(In.SIZEOF_SOCKADDR_IN);
        Memory len = new Memory(4);
        len.setInt(0, In.SIZEOF_SOCKADDR_IN);
        Errno.check("getsockname", Socket.getsockname(fd.fd(), sa, len));
        return In.sinPort(sa.getByteBuffer(0, In.SIZEOF_SOCKADDR_IN), 0);
    }
}
