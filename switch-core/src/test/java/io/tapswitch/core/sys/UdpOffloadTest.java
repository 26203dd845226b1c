package io.tapswitch.core.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDP segmentation and GRO against the kernel, between two UDP sockets on the loopback interface
 * (no privileges needed): a {@link GsoMessages} send gathered from pieces and cut by the kernel
 * arrives as separate datagrams of the right bytes, or, read with {@code UDP_GRO}, as one run whose
 * cut size {@link GroMessages} finds in its control message.
 */
class UdpOffloadTest {
    private static final int LOOPBACK = 0x7f000001;

    private final ByteBuffer data = ByteBuffer.allocateDirect(1024);
    private final long base = Pointer.nativeValue(Native.getDirectBufferPointer(data));

    UdpOffloadTest() {
        for (int i = 0; i < 1024; i++) {
            data.put(i, (byte) (i * 13));
        }
    }

    /** Two messages: 350 bytes from three pieces cut every 100, then 30 bytes as they are. */
    private GsoMessages twoSends(int port) {
        GsoMessages out = new GsoMessages(4, 8);
        assertThat(out.begin(LOOPBACK, port, 100)).isZero();
        out.add(base, 120);
        out.add(base + 500, 200);
        out.add(base + 900, 30);
        assertThat(out.begin(LOOPBACK, port, 0)).isEqualTo(1);
        out.add(base + 300, 30);
        assertThat(out.count()).isEqualTo(2);
        assertThat(out.pieces(0)).isEqualTo(3);
        assertThat(out.length(0)).isEqualTo(350);
        assertThat(out.segmentSize(0)).isEqualTo(100);
        assertThat(out.segmentSize(1)).isZero();
        assertThat(out.destinationPort(1)).isEqualTo(port);
        return out;
    }

    /** What the two sends carry, as one run of bytes. */
    private byte[] expected() {
        byte[] b = new byte[380];
        data.get(0, b, 0, 120);
        data.get(500, b, 120, 200);
        data.get(900, b, 320, 30);
        data.get(300, b, 350, 30);
        return b;
    }

    @Test
    void aCutSendArrivesAsSeparateDatagrams() throws Exception {
        try (FileDescriptor a = udpSocket(); FileDescriptor b = udpSocket()) {
            GsoMessages out = twoSends(boundPort(b));
            assertThat(out.send(a.fd(), 0)).as("one sendmmsg, both messages").isEqualTo(2);
            List<byte[]> got = read(b, 5, false, null);
            assertThat(got).extracting(x -> x.length).containsExactly(100, 100, 100, 50, 30);
            assertThat(concat(got)).isEqualTo(expected());
        }
    }

    @Test
    void withGroTheCutRunArrivesInOneReadWithItsSize() throws Exception {
        try (FileDescriptor a = udpSocket(); FileDescriptor b = udpSocket()) {
            Memory on = new Memory(4);
            on.setInt(0, 1);
            Errno.check("setsockopt(UDP_GRO)", Socket.setsockopt(b.fd(), Udp.SOL_UDP, Udp.UDP_GRO, on, 4));
            assertThat(twoSends(boundPort(b)).send(a.fd(), 0)).isEqualTo(2);
            List<Integer> sizes = new ArrayList<>();
            List<byte[]> got = read(b, 2, true, sizes);
            assertThat(got).extracting(x -> x.length).containsExactly(350, 30);
            assertThat(sizes).containsExactly(100, 0);
            assertThat(concat(got)).isEqualTo(expected());
        }
    }

    /** Reads until {@code reads} reads arrived; their cut sizes go to {@code sizes}. */
    private static List<byte[]> read(FileDescriptor fd, int reads, boolean gro, List<Integer> sizes) throws Exception {
        ByteBuffer in = ByteBuffer.allocateDirect(8 * 2048);
        long inBase = Pointer.nativeValue(Native.getDirectBufferPointer(in));
        GroMessages rx = new GroMessages(8);
        List<byte[]> got = new ArrayList<>();
        for (int tries = 0; tries < 200 && got.size() < reads; tries++) {
            for (int i = 0; i < 8; i++) {
                rx.prepare(i, inBase + i * 2048L, 2048);
            }
            int n = rx.receive(fd.fd(), 8);
            if (n <= 0) {
                Thread.sleep(5);
                continue;
            }
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[(int) rx.length(i)];
                in.get(i * 2048, b);
                got.add(b);
                assertThat(rx.sourceAddress(i)).isEqualTo(LOOPBACK);
                assertThat(rx.truncated(i)).isFalse();
                if (sizes != null) {
                    sizes.add(rx.segmentSize(i));
                } else if (!gro) {
                    assertThat(rx.segmentSize(i)).isZero();
                }
            }
        }
        return got;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteBuffer b = ByteBuffer.allocate(parts.stream().mapToInt(p -> p.length).sum());
        parts.forEach(b::put);
        return b.array();
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
