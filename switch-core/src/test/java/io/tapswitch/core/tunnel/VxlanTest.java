package io.tapswitch.core.tunnel;

import com.sun.jna.Pointer;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.TunnelSource;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.offload.Packet;
import io.tapswitch.core.port.Refusal;
import io.tapswitch.core.sys.GsoMessages;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * VXLAN encapsulation and decapsulation against golden bytes: what {@link Encapsulation} hands
 * {@code sendmmsg} (read back from the message array's pieces, as the kernel gathers them), and what
 * {@link Vxlan#decapsulate} makes of a datagram read into a frame.
 */
class VxlanTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final long H1 = mac("02:00:00:00:00:01");
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");
    private static final int PEER = 0xc6130102;
    private static final VniMap VNIS = VniMap.of(10000, Map.of(30, 777));

    private final Frame frame = new Frame(4);
    private final Encapsulation encapsulation = new Encapsulation();

    /**
     * The UDP payloads of the datagrams the last fill described, as the kernel makes them: each
     * message gathered from its pieces, then cut every segment size bytes when it has one.
     */
    private List<byte[]> datagrams() {
        GsoMessages m = encapsulation.messages();
        List<byte[]> out = new ArrayList<>();
        for (int k = 0; k < m.count(); k++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = 0; i < m.pieces(k); i++) {
                bytes.writeBytes(new Pointer(m.pieceBase(k, i)).getByteArray(0, (int) m.pieceLength(k, i)));
            }
            byte[] all = bytes.toByteArray();
            assertThat(all.length).as("one send's payload").isEqualTo(m.length(k)).isLessThanOrEqualTo(65507);
            int size = m.segmentSize(k) == 0 ? all.length : m.segmentSize(k);
            assertThat((all.length + size - 1) / size).as("datagrams of one send").isLessThanOrEqualTo(64);
            for (int at = 0; at < all.length; at += size) {
                out.add(Arrays.copyOfRange(all, at, Math.min(all.length, at + size)));
            }
        }
        return out;
    }

    private byte[] datagram(int i) {
        return datagrams().get(i);
    }

    private static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    private static byte[] arp() {
        byte[] f = Frames.ethernet(BCAST, H1, 0x0806, 28);
        return f;
    }

    @Test
    void anUntaggedFrameTravelsInTheBaseVniPaddedTo60Bytes() {
        frame.load(arp());
        assertThat(encapsulation.prepare(frame, VNIS, 1464)).isEqualTo(1);
        assertThat(encapsulation.fill(frame, 0, PEER, 4789, true)).isEqualTo(1);
        byte[] d = datagram(0);

        assertThat(encapsulation.flowPort()).isBetween(49152, 65535);
        assertThat(encapsulation.messages().segmentSize(0)).as("one datagram: nothing to cut").isZero();
        assertThat(hex(Arrays.copyOfRange(d, 0, 8))).as("VXLAN I flag, VNI 10000").isEqualTo("08000000" + "00271000");
        assertThat(Arrays.copyOfRange(d, 8, 50)).isEqualTo(arp());
        assertThat(Arrays.copyOfRange(d, 50, 68)).as("padding").containsOnly(0);
        assertThat(d).hasSize(8 + 60);
        assertThat(encapsulation.filledBytes()).isEqualTo(68);
        assertThat(encapsulation.messages().destinationAddress(0)).isEqualTo(PEER);
        assertThat(encapsulation.messages().destinationPort(0)).isEqualTo(4789);
    }

    @Test
    void aTaggedFrameTravelsInItsVlansVniWithoutTheTag() {
        byte[] tagged = Frames.tagged(BCAST, H1, 0x8100, 0xa00a, 0x0800, 100);
        frame.load(tagged);
        assertThat(encapsulation.prepare(frame, VNIS, 1464)).isEqualTo(1);
        encapsulation.fill(frame, 0, PEER, 4790, true);
        byte[] d = datagram(0);

        assertThat(hex(Arrays.copyOfRange(d, 0, 8))).isEqualTo("08000000" + "00271a00");
        assertThat(encapsulation.messages().destinationPort(0)).isEqualTo(4790);
        assertThat(Arrays.copyOfRange(d, 8, d.length)).isEqualTo(Frames.ethernet(BCAST, H1, 0x0800, 100));
        assertThat(frame.toBytes()).as("the frame itself is untouched").isEqualTo(tagged);
    }

    @Test
    void qinqTheSVlanChoosesTheVniAndTheCTagRidesInside() {
        byte[] inner = Frames.tagged(BCAST, H1, 0x8100, 10, 0x0800, 100);
        ByteBuffer b = ByteBuffer.allocate(inner.length + 4);
        b.put(inner, 0, 12).putShort((short) 0x88a8).putShort((short) 100).put(inner, 12, inner.length - 12);
        frame.load(b.array());
        encapsulation.prepare(frame, VNIS, 1464);
        encapsulation.fill(frame, 0, PEER, 4789, true);
        byte[] d = datagram(0);

        assertThat(Vxlan.vni(ByteBuffer.wrap(d), 0)).isEqualTo(10100);
        assertThat(Arrays.copyOfRange(d, 8, d.length)).isEqualTo(inner);
    }

    @Test
    void refusesUnmappedVlansAndFramesTooBigForTheUnderlay() {
        VniMap only10 = VniMap.explicit(Map.of(10, 10));
        frame.load(Frames.tagged(BCAST, H1, 0x8100, 11, 0x0800, 100));
        assertThat(encapsulation.prepare(frame, only10, 1464)).isEqualTo(Refusal.VLAN_NOT_MAPPED.code());
        frame.load(Frames.ethernet(BCAST, H1, 0x0800, 100));
        assertThat(encapsulation.prepare(frame, only10, 1464)).as("VLAN 0 unmapped").isEqualTo(Refusal.VLAN_NOT_MAPPED.code());

        frame.load(Frames.tagged(BCAST, H1, 0x8100, 10, 0x0800, 1450));
        assertThat(encapsulation.prepare(frame, only10, 1464)).as("1464 bytes once untagged: fits").isEqualTo(1);
        frame.load(Frames.tagged(BCAST, H1, 0x8100, 10, 0x0800, 1451));
        assertThat(encapsulation.prepare(frame, only10, 1464)).isEqualTo(Refusal.TOO_BIG_FOR_UNDERLAY.code());

        // a TCP super-frame of a guest whose MSS (1448) is too long for the underlay is cut shorter: 1410 bytes of payload
        Packet.tcp4().payload(20000).gso(VnetHeader.GSO_TCPV4, 1448).load(frame);
        assertThat(encapsulation.prepare(frame, VNIS, 1464)).as("segments cut to fit").isEqualTo((20000 + 1409) / 1410);
        // so is a single TCP segment of that MSS, which such a guest sends too (a lone segment, a retransmission)
        Packet.tcp4().payload(1448).load(frame);
        assertThat(encapsulation.prepare(frame, VNIS, 1464)).as("a 1502-byte segment cut in two").isEqualTo(2);
        // UDP GSO segments are datagrams: never cut, so too long ones are refused
        Packet.udp4().payload(20000).gso(VnetHeader.GSO_UDP_L4, 1472).load(frame);
        assertThat(encapsulation.prepare(frame, VNIS, 1464)).as("datagrams of 1514 bytes").isEqualTo(Refusal.TOO_BIG_FOR_UNDERLAY.code());
        Packet.udp4().payload(20000).gso(VnetHeader.GSO_UDP, 1000).load(frame);
        assertThat(encapsulation.prepare(frame, VNIS, 1464)).isEqualTo(Refusal.OFFLOAD_UNSUPPORTED.code());
    }

    @Test
    void aGsoFrameBecomesTwoCutSendsAt1500AndOneSegmentPerDatagram() {
        Packet p = Packet.tcp4().tag(0x8100, 30).payload(64000).gso(VnetHeader.GSO_TCPV4, 1410);
        p.load(frame);
        int n = encapsulation.prepare(frame, VNIS, 1464);
        assertThat(n).isEqualTo(46);
        assertThat(encapsulation.fill(frame, 0, PEER, 4789, true)).isEqualTo(46);
        GsoMessages m = encapsulation.messages();
        // 1472-byte datagrams (8 + 14 + 20 + 20 + 1410): 44 fit one send's 65507 bytes
        assertThat(m.count()).isEqualTo(2);
        assertThat(m.segmentSize(0)).isEqualTo(1472);
        assertThat(m.length(0)).isEqualTo(44 * 1472);
        assertThat(m.length(1)).isEqualTo(1472 + 8 + 54 + (64000 - 45 * 1410));
        assertThat(encapsulation.segmentedMessages()).isEqualTo(2);
        checkSegments(p, datagrams(), 46);
        assertThat(encapsulation.filledBytes()).isEqualTo(46 * (8 + 54) + 64000);
    }

    @Test
    void withoutSegmentationEachDatagramIsASendOfItsOwn() {
        Packet p = Packet.tcp4().tag(0x8100, 30).payload(64000).gso(VnetHeader.GSO_TCPV4, 1410);
        p.load(frame);
        encapsulation.prepare(frame, VNIS, 1464);
        encapsulation.fill(frame, 0, PEER, 4789, false);
        assertThat(encapsulation.messages().count()).isEqualTo(46);
        assertThat(encapsulation.segmentedMessages()).isZero();
        for (int k = 0; k < 46; k++) {
            assertThat(encapsulation.messages().segmentSize(k)).isZero();
        }
        checkSegments(p, datagrams(), 46);
    }

    @Test
    void aJumboUnderlayCutsNineKilobyteDatagramsSevenToASend() {
        Packet p = Packet.tcp4().tag(0x8100, 30).payload(65000).gso(VnetHeader.GSO_TCPV4, 8900);
        p.load(frame);
        int n = encapsulation.prepare(frame, VNIS, 8964);
        assertThat(n).isEqualTo(8);
        encapsulation.fill(frame, 0, PEER, 4789, true);
        GsoMessages m = encapsulation.messages();
        // 8962-byte datagrams: seven fit 65507 bytes, the eighth (shorter) goes in a second send
        assertThat(m.count()).isEqualTo(2);
        assertThat(m.segmentSize(0)).isEqualTo(8 + 54 + 8900);
        assertThat(m.length(0)).isEqualTo(7 * 8962);
        checkSegments(p, datagrams(), 8);
    }

    @Test
    void aTinyMssFrameTakesSeveralRoundsOfAtMost64Datagrams() {
        Packet p = Packet.tcp6().payload(20000).gso(VnetHeader.GSO_TCPV6, 100);
        p.load(frame);
        int n = encapsulation.prepare(frame, VNIS, 1464);
        assertThat(n).isEqualTo(200);
        List<byte[]> all = new ArrayList<>();
        for (int first = 0; first < n; ) {
            int k = encapsulation.fill(frame, first, PEER, 4789, true);
            assertThat(k).isLessThanOrEqualTo(Encapsulation.SLOTS);
            all.addAll(datagrams());
            first += k;
        }
        assertThat(all).hasSize(200);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (int i = 0; i < all.size(); i++) {
            byte[] inner = Arrays.copyOfRange(all.get(i), 8, all.get(i).length);
            ByteBuffer b = ByteBuffer.wrap(inner);
            assertThat(b.getShort(18) & 0xffff).as("IPv6 payload length").isEqualTo(inner.length - 54);
            assertThat(b.getInt(54 + 4)).as("seq").isEqualTo(p.seq() + i * 100);
            assertThat(Packet.fold(Packet.sum(inner, 54, inner.length - 54,
                    Packet.pseudo(inner, 14, true, 6, inner.length - 54)))).isEqualTo(0xffff);
            payload.write(inner, 74, inner.length - 74);
        }
        assertThat(payload.toByteArray()).isEqualTo(p.payloadBytes());
    }

    /** Checks datagrams of a TCP/IPv4 GSO frame byte by byte: VXLAN header, untagged inner segment, lengths, IDs, seq, flags, checksums, payload. */
    private static void checkSegments(Packet p, List<byte[]> datagrams, int n) {
        assertThat(datagrams).hasSize(n);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int mss = -1;
        for (int i = 0; i < n; i++) {
            byte[] d = datagrams.get(i);
            ByteBuffer b = ByteBuffer.wrap(d);
            assertThat(b.getInt(0)).as("I flag").isEqualTo(0x08000000);
            assertThat(Vxlan.vni(b, 0)).isEqualTo(777);
            byte[] inner = Arrays.copyOfRange(d, 8, d.length);
            ByteBuffer ib = ByteBuffer.wrap(inner);
            assertThat(ib.getShort(12) & 0xffff).as("untagged inside").isEqualTo(0x0800);
            assertThat(ib.getShort(16) & 0xffff).as("IP total length").isEqualTo(inner.length - 14);
            assertThat(ib.getShort(18) & 0xffff).as("IP ID").isEqualTo((p.ipId() + i) & 0xffff);
            assertThat(Packet.fold(Packet.sum(inner, 14, 20, 0))).as("IP header checksum").isEqualTo(0xffff);
            if (mss < 0) {
                mss = inner.length - 54;
            }
            assertThat(ib.getInt(38)).as("seq").isEqualTo(p.seq() + i * mss);
            int flags = inner[47] & 0xff;
            assertThat(flags & 0x09).as("FIN/PSH only on the last").isEqualTo(i == n - 1 ? p.tcpFlags() & 0x09 : 0);
            assertThat(Packet.fold(Packet.sum(inner, 34, inner.length - 34,
                    Packet.pseudo(inner, 14, false, 6, inner.length - 34)))).as("TCP checksum").isEqualTo(0xffff);
            if (i < n - 1) {
                assertThat(d.length).as("all but the last of one size").isEqualTo(datagrams.get(0).length);
            }
            payload.write(inner, 54, inner.length - 54);
        }
        assertThat(payload.toByteArray()).isEqualTo(p.payloadBytes());
    }

    @Test
    void flowsSpreadOverTheDynamicPortRange() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            byte[] f = Packet.udp4().payload(10).build();
            ByteBuffer.wrap(f).putShort(34, (short) (30000 + i));
            frame.load(f);
            ports.add(FlowHash.sourcePort(frame.buffer(), frame.frame(), frame.length()));
        }
        assertThat(ports).allMatch(p -> p >= 49152 && p <= 65535).hasSizeGreaterThan(50);
    }

    /** Puts a received datagram where the endpoint reads it: 8 bytes before the frame's Ethernet offset. */
    private void receive(byte[] datagram) {
        frame.reset();
        frame.buffer().put(frame.frame() - Vxlan.HEADER_LEN, datagram);
    }

    private static byte[] datagram(int flags, int vni, byte[] inner) {
        ByteBuffer b = ByteBuffer.allocate(8 + inner.length);
        b.putInt(flags << 24).putInt(vni << 8).put(inner);
        return b.array();
    }

    @Test
    void decapsulatesIntoATaggedFrameOfTheVnisVlanAndRecordsTheSender() {
        byte[] inner = Frames.ethernet(BCAST, H1, 0x0800, 60);
        receive(datagram(0x08, 10010, inner));
        long source = TunnelSource.of(PEER, 50123);

        assertThat(Vxlan.decapsulate(frame, 8 + inner.length, VNIS, source)).isEqualTo(Vxlan.FRAME);

        assertThat(hex(frame.toBytes())).isEqualTo(hex(Frames.tagged(BCAST, H1, 0x8100, 10, 0x0800, 60)));
        assertThat(frame.tunnelSource).isEqualTo(source);
        assertThat(frame.refusal).isZero();
        assertThat(VnetHeader.hasOffload(frame.buffer(), frame.start())).isFalse();
    }

    @Test
    void vlan0ArrivesUntaggedAndACTagStaysInsideTheVlanTag() {
        byte[] inner = Frames.ethernet(BCAST, H1, 0x0806, 28);
        receive(datagram(0x08, 10000, inner));
        assertThat(Vxlan.decapsulate(frame, 8 + inner.length, VNIS, 1)).isEqualTo(Vxlan.FRAME);
        assertThat(frame.toBytes()).isEqualTo(inner);

        byte[] customer = Frames.tagged(BCAST, H1, 0x8100, 10, 0x0800, 50);
        receive(datagram(0x0c, 10100, customer));
        assertThat(Vxlan.decapsulate(frame, 8 + customer.length, VNIS, 1)).isEqualTo(Vxlan.FRAME);
        byte[] got = frame.toBytes();
        assertThat(hex(Arrays.copyOfRange(got, 12, 20))).as("S-VLAN 100 outside, C-tag 10 inside").isEqualTo("81000064" + "8100000a");
        assertThat(Arrays.copyOfRange(got, 16, got.length)).isEqualTo(Arrays.copyOfRange(customer, 12, customer.length));
    }

    @Test
    void refusesMalformedDatagramsAndUnknownVnisWithTheirReasons() {
        byte[] inner = Frames.ethernet(BCAST, H1, 0x0800, 60);
        receive(datagram(0x00, 10010, inner));
        assertThat(Vxlan.decapsulate(frame, 8 + inner.length, VNIS, 1)).isEqualTo(Vxlan.REFUSED);
        assertThat(Refusal.of(frame.refusal)).isEqualTo(Refusal.MALFORMED_VXLAN);

        receive(datagram(0x08, 10010, new byte[10]));
        assertThat(Vxlan.decapsulate(frame, 18, VNIS, 1)).isEqualTo(Vxlan.REFUSED);
        assertThat(Refusal.of(frame.refusal)).as("shorter than an Ethernet header").isEqualTo(Refusal.MALFORMED_VXLAN);

        frame.reset();
        assertThat(Vxlan.decapsulate(frame, 5, VNIS, 1)).isEqualTo(Vxlan.REFUSED);

        receive(datagram(0x08, 424242, inner));
        assertThat(Vxlan.decapsulate(frame, 8 + inner.length, VNIS, 1)).isEqualTo(Vxlan.REFUSED);
        assertThat(Refusal.of(frame.refusal)).isEqualTo(Refusal.UNKNOWN_VNI);
        assertThat(frame.length()).isEqualTo(inner.length);

        receive(datagram(0x08, VniMap.PROBE_VNI, new byte[24]));
        assertThat(Vxlan.decapsulate(frame, 32, VNIS, 1)).isEqualTo(Vxlan.PROBE);
    }

    @Test
    void probesRoundTripTheirFields() {
        ByteBuffer b = ByteBuffer.allocate(40);
        Probe.write(b, 8, Probe.REQUEST, true, 77, 4790, 123456789L);
        assertThat(Probe.type(b, 8, 24)).isEqualTo(Probe.REQUEST);
        assertThat(Probe.full(b, 8)).isTrue();
        assertThat(Probe.checksummed(b, 8)).as("our datagrams always carry UDP checksums").isTrue();
        assertThat(Probe.seq(b, 8)).isEqualTo(77);
        assertThat(Probe.replyPort(b, 8)).isEqualTo(4790);
        assertThat(Probe.sent(b, 8)).isEqualTo(123456789L);
        assertThat(Probe.type(b, 8, 23)).as("too short").isEqualTo(-1);
        b.putInt(8, 0);
        assertThat(Probe.type(b, 8, 24)).as("no magic").isEqualTo(-1);
    }
}
