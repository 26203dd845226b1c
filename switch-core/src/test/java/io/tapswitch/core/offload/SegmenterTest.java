package io.tapswitch.core.offload;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Software GSO and checksum completion, checked against the frames a wire would carry: every
 * length, ID, sequence number, flag and checksum recomputed here from the output bytes alone (by
 * {@link Packet}'s own loop), and the payload reassembled byte for byte.
 */
class SegmenterTest {
    private final Frame frame = new Frame(4);
    private final Segmenter segmenter = new Segmenter();

    /** Segments the loaded frame into separate byte arrays through {@link Segmenter#write}. */
    private List<byte[]> segment(boolean dropOuterTag) {
        return segment(dropOuterTag, 0);
    }

    private List<byte[]> segment(boolean dropOuterTag, int maxFrame) {
        int n = segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), dropOuterTag, maxFrame);
        assertThat(n).as("segment count").isPositive();
        List<byte[]> out = new ArrayList<>();
        ByteBuffer dst = ByteBuffer.allocate(70000);
        for (int i = 0; i < n; i++) {
            int len = segmenter.write(i, dst, 3);
            assertThat(len).isEqualTo(segmenter.length(i));
            byte[] b = new byte[len];
            dst.get(3, b);
            out.add(b);
        }
        return out;
    }

    /** Checks one IPv4 TCP segment's headers and checksums; returns its payload. */
    private static byte[] checkTcp4(byte[] seg, int l3, int expectedId, int expectedSeq, int expectedFlags) {
        int ihl = (seg[l3] & 0xf) * 4;
        int total = u16(seg, l3 + 2);
        assertThat(total).as("IPv4 total length").isEqualTo(seg.length - l3);
        assertThat(u16(seg, l3 + 4)).as("IPv4 ID").isEqualTo(expectedId & 0xffff);
        assertThat(Packet.fold(Packet.sum(seg, l3, ihl, 0))).as("IPv4 header checksum verifies").isEqualTo(0xffff);
        int l4 = l3 + ihl;
        return checkTcp(seg, l3, l4, false, expectedSeq, expectedFlags);
    }

    private static byte[] checkTcp(byte[] seg, int l3, int l4, boolean v6, int expectedSeq, int expectedFlags) {
        int tcpLength = seg.length - l4;
        assertThat(u32(seg, l4 + 4)).as("TCP sequence number").isEqualTo(expectedSeq);
        assertThat(seg[l4 + 13] & 0xff).as("TCP flags").isEqualTo(expectedFlags);
        long pseudo = Packet.pseudo(seg, l3, v6, 6, tcpLength);
        assertThat(Packet.fold(Packet.sum(seg, l4, tcpLength, pseudo))).as("TCP checksum verifies").isEqualTo(0xffff);
        int doff = ((seg[l4 + 12] & 0xff) >>> 4) * 4;
        return Arrays.copyOfRange(seg, l4 + doff, seg.length);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static int u32(byte[] b, int at) {
        return u16(b, at) << 16 | u16(b, at + 2);
    }

    @Test
    void cutsATcp4SuperFrameIntoMssSegmentsWithLengthsIdsSequenceFlagsAndChecksums() {
        Packet p = Packet.tcp4().payload(10000).ipId(0xfffe).seq(0xfffff000).flags(Packet.ACK | Packet.PSH | Packet.FIN | Packet.CWR)
                .gso(VnetHeader.GSO_TCPV4, 1448);
        p.load(frame);
        byte[] before = frame.toBytes();

        List<byte[]> segs = segment(false);

        assertThat(segs).hasSize(7);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < segs.size(); i++) {
            byte[] s = segs.get(i);
            int expectedPayload = i < 6 ? 1448 : 10000 - 6 * 1448;
            assertThat(s.length).as("segment %d", i).isEqualTo(54 + expectedPayload);
            int flags = Packet.ACK | (i == 0 ? Packet.CWR : 0) | (i == 6 ? Packet.PSH | Packet.FIN : 0);
            payloads.add(checkTcp4(s, 14, 0xfffe + i, 0xfffff000 + i * 1448, flags));
            assertThat(Arrays.copyOfRange(s, 0, 14)).isEqualTo(Arrays.copyOfRange(before, 0, 14));
        }
        assertThat(Packet.concat(payloads)).isEqualTo(p.payloadBytes());
        assertThat(frame.toBytes()).as("the source frame is only read").isEqualTo(before);
        assertThat(segmenter.segments()).isTrue();
        assertThat(segmenter.largest()).isEqualTo(54 + 1448);
    }

    @Test
    void cutsTcpSegmentsShorterThanTheGuestsMssToFitABound() {
        // a guest with a 1500-byte MTU behind a tunnel on a 1500-byte underlay: 1464 bytes per inner frame
        Packet p = Packet.tcp4().tag(0x8100, 10).payload(10000).ipId(7).seq(1000).flags(Packet.ACK | Packet.PSH)
                .gso(VnetHeader.GSO_TCPV4, 1448);
        p.load(frame);

        List<byte[]> segs = segment(true, 1464);

        int mss = 1464 - 54;
        assertThat(segs).hasSize((10000 + mss - 1) / mss);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < segs.size(); i++) {
            byte[] s = segs.get(i);
            assertThat(s.length).as("segment %d", i).isLessThanOrEqualTo(1464);
            int flags = Packet.ACK | (i == segs.size() - 1 ? Packet.PSH : 0);
            payloads.add(checkTcp4(s, 14, 7 + i, 1000 + i * mss, flags));
        }
        assertThat(Packet.concat(payloads)).isEqualTo(p.payloadBytes());
        assertThat(segmenter.largest()).isEqualTo(1464);
    }

    @Test
    void neverCutsUdpSegmentsOrPlainFramesToABound() {
        Packet udp = Packet.udp4().payload(3000).gso(VnetHeader.GSO_UDP_L4, 1472);
        udp.load(frame);
        assertThat(segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false, 1000))
                .isEqualTo(3);
        assertThat(segmenter.largest()).as("datagrams keep the sender's boundaries").isEqualTo(14 + 20 + 8 + 1472);
    }

    @Test
    void cutsASingleFullSizedTcpSegmentOfAHostWithA1500ByteMtuToFitABound() {
        // a lone segment (or a retransmission) of MSS 1448 with timestamps: a 1514-byte frame, no GSO
        Packet p = Packet.tcp4().tag(0x8100, 10).tcpOptions(12).payload(1448).ipId(40).seq(5000)
                .flags(Packet.ACK | Packet.PSH);
        p.load(frame);

        List<byte[]> segs = segment(true, 1464);

        int mss = 1464 - 14 - 20 - 32;
        assertThat(segs).hasSize(2);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            byte[] s = segs.get(i);
            assertThat(s.length).as("segment %d", i).isEqualTo(14 + 20 + 32 + (i == 0 ? mss : 1448 - mss));
            payloads.add(checkTcp4(s, 14, 40 + i, 5000 + i * mss, Packet.ACK | (i == 1 ? Packet.PSH : 0)));
        }
        assertThat(Packet.concat(payloads)).isEqualTo(p.payloadBytes());
        assertThat(segmenter.largest()).isEqualTo(1464);
    }

    @Test
    void cutsASingleTcp6SegmentNeedingItsChecksumToFitABound() {
        Packet p = Packet.tcp6().tag(0x8100, 20).payload(1440).seq(77).flags(Packet.ACK | Packet.FIN).needsChecksum();
        p.load(frame);

        List<byte[]> segs = segment(true, 1280);

        int mss = 1280 - 14 - 40 - 20;
        assertThat(segs).hasSize(2);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            byte[] s = segs.get(i);
            assertThat(u16(s, 14 + 4)).as("IPv6 payload length").isEqualTo(s.length - 14 - 40);
            payloads.add(checkTcp(s, 14, 54, true, 77 + i * mss, Packet.ACK | (i == 1 ? Packet.FIN : 0)));
        }
        assertThat(Packet.concat(payloads)).isEqualTo(p.payloadBytes());
    }

    @Test
    void leavesSingleFramesAsTheyAreWhenTheyFitOrAreNoTcpOrWouldBeCutTooShort() {
        Packet.tcp4().payload(1410).load(frame);
        assertThat(segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false, 1464)).isEqualTo(1);
        assertThat(segmenter.segments()).as("fits: sent as it is").isFalse();

        Packet.udp4().payload(1472).load(frame);
        assertThat(segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false, 1464)).isEqualTo(1);
        assertThat(segmenter.largest()).as("a datagram is never cut").isEqualTo(1514);

        Packet.tcp4().payload(1448).load(frame);
        assertThat(segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false, 500)).isEqualTo(1);
        assertThat(segmenter.largest()).as("segments under 536 bytes are not made").isEqualTo(1502);

        Packet.tcp6().hopByHop().payload(1448).load(frame);
        assertThat(segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false, 1464)).isEqualTo(1);
        assertThat(segmenter.largest()).as("IPv6 extension headers: not parsed, not cut").isEqualTo(14 + 48 + 20 + 1448);
    }

    @Test
    void keepsAVlanTagAndIpAndTcpOptionsInEverySegment() {
        Packet p = Packet.tcp4().tag(0x8100, 0x200a).ipOptions(8).tcpOptions(12).payload(3000)
                .gso(VnetHeader.GSO_TCPV4 | VnetHeader.GSO_ECN, 1000);
        p.load(frame);

        List<byte[]> segs = segment(false);

        assertThat(segs).hasSize(3);
        for (int i = 0; i < 3; i++) {
            byte[] s = segs.get(i);
            assertThat(s.length).isEqualTo(18 + 28 + 32 + 1000);
            assertThat(u16(s, 12)).isEqualTo(0x8100);
            assertThat(u16(s, 14)).isEqualTo(0x200a);
            assertThat(u16(s, 16)).isEqualTo(0x0800);
            byte[] payload = checkTcp4(s, 18, 0x1234 + i, 0x10000000 + 1000 * i, Packet.ACK);
            assertThat(payload).isEqualTo(Arrays.copyOfRange(p.payloadBytes(), 1000 * i, 1000 * (i + 1)));
        }
    }

    @Test
    void cutsATcp6SuperFrameAndCanLeaveTheOuterOfTwoTagsOut() {
        Packet p = Packet.tcp6().tag(0x88a8, 100).tag(0x8100, 10).payload(5000).flags(Packet.ACK | Packet.PSH)
                .gso(VnetHeader.GSO_TCPV6, 1420);
        p.load(frame);

        List<byte[]> segs = segment(true);

        assertThat(segs).hasSize(4);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] s = segs.get(i);
            int expectedPayload = i < 3 ? 1420 : 5000 - 3 * 1420;
            assertThat(s.length).isEqualTo(18 + 40 + 20 + expectedPayload);
            assertThat(u16(s, 12)).as("the C-tag is now outermost").isEqualTo(0x8100);
            assertThat(u16(s, 14)).isEqualTo(10);
            assertThat(u16(s, 16)).isEqualTo(0x86dd);
            assertThat(u16(s, 18 + 4)).as("IPv6 payload length").isEqualTo(20 + expectedPayload);
            payloads.add(checkTcp(s, 18, 58, true, 0x10000000 + 1420 * i, Packet.ACK | (i == 3 ? Packet.PSH : 0)));
        }
        assertThat(Packet.concat(payloads)).isEqualTo(p.payloadBytes());
    }

    @Test
    void segmentsUdpGsoWithItsLengthAndChecksumPerDatagram() {
        Packet p = Packet.udp4().payload(2500).gso(VnetHeader.GSO_UDP_L4, 1000);
        p.load(frame);

        List<byte[]> segs = segment(false);

        assertThat(segs).hasSize(3);
        for (int i = 0; i < 3; i++) {
            byte[] s = segs.get(i);
            int len = i < 2 ? 1000 : 500;
            assertThat(u16(s, 14 + 2)).isEqualTo(28 + len);
            assertThat(u16(s, 14 + 4)).isEqualTo(0x1234 + i);
            assertThat(u16(s, 34 + 4)).as("UDP length").isEqualTo(8 + len);
            long pseudo = Packet.pseudo(s, 14, false, 17, 8 + len);
            assertThat(Packet.fold(Packet.sum(s, 34, 8 + len, pseudo))).isEqualTo(0xffff);
        }
    }

    @Test
    void aGsoFrameNoLongerThanOneSegmentIsOneFrame() {
        Packet.tcp4().payload(500).flags(Packet.ACK | Packet.FIN | Packet.CWR).gso(VnetHeader.GSO_TCPV4, 1448).load(frame);
        List<byte[]> segs = segment(false);
        assertThat(segs).hasSize(1);
        checkTcp4(segs.get(0), 14, 0x1234, 0x10000000, Packet.ACK | Packet.FIN | Packet.CWR);
    }

    @Test
    void headAndTailTogetherAreTheWrittenFrame() {
        Packet.tcp4().tag(0x8100, 7).payload(4000).gso(VnetHeader.GSO_TCPV4, 1460).load(frame);
        List<byte[]> whole = segment(true);
        ByteBuffer head = ByteBuffer.allocate(Segmenter.MAX_HEAD);
        for (int i = 0; i < whole.size(); i++) {
            int h = segmenter.writeHead(i, head, 0);
            byte[] joined = new byte[h + segmenter.tailLength(i)];
            head.get(0, joined, 0, h);
            frame.buffer().get(segmenter.tailOffset(i), joined, h, segmenter.tailLength(i));
            assertThat(joined).isEqualTo(whole.get(i));
        }
    }

    @Test
    void completesThePartialChecksumOfAUdp4Frame() {
        Packet p = Packet.udp4().payload(333).needsChecksum();
        p.load(frame);
        assertThat(segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false)).isEqualTo(1);
        assertThat(segmenter.segments()).isFalse();
        ByteBuffer dst = ByteBuffer.allocate(2000);
        int len = segmenter.write(0, dst, 0);
        byte[] out = new byte[len];
        dst.get(0, out);

        assertThat(len).isEqualTo(frame.length());
        long pseudo = Packet.pseudo(out, 14, false, 17, 8 + 333);
        assertThat(Packet.fold(Packet.sum(out, 34, 8 + 333, pseudo))).isEqualTo(0xffff);
        Packet complete = Packet.udp4().payload(p.payloadBytes());
        assertThat(out).as("the same bytes a stack computing the checksum itself sends").isEqualTo(complete.build());
    }

    @Test
    void completesATaggedTcp6ChecksumAndDropsTheTagWhenAsked() {
        Packet p = Packet.tcp6().tag(0x8100, 20).payload(77).needsChecksum();
        p.load(frame);
        assertThat(segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), true)).isEqualTo(1);
        ByteBuffer dst = ByteBuffer.allocate(2000);
        int len = segmenter.write(0, dst, 0);
        byte[] out = new byte[len];
        dst.get(0, out);
        assertThat(len).isEqualTo(frame.length() - 4);
        assertThat(out).isEqualTo(Packet.tcp6().payload(p.payloadBytes()).build());
    }

    @Test
    void aPlainFrameIsOneFrameAsItStandsOrWithoutItsOuterTag() {
        Packet p = Packet.tcp4().tag(0x8100, 30).payload(100);
        p.load(frame);
        assertThat(segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false)).isEqualTo(1);
        ByteBuffer dst = ByteBuffer.allocate(2000);
        int len = segmenter.write(0, dst, 0);
        byte[] out = new byte[len];
        dst.get(0, out);
        assertThat(out).isEqualTo(p.build());

        segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), true);
        len = segmenter.write(0, dst, 0);
        out = new byte[len];
        dst.get(0, out);
        assertThat(out).isEqualTo(Packet.tcp4().payload(100).build());
    }

    @Test
    void refusesWhatItCannotSegment() {
        Packet.udp4().payload(3000).gso(VnetHeader.GSO_UDP, 1000).load(frame);
        assertThat(prepare()).as("UFO").isEqualTo(Segmenter.UNSUPPORTED);

        Packet.tcp6().hopByHop().payload(3000).gso(VnetHeader.GSO_TCPV6, 1000).load(frame);
        assertThat(prepare()).as("IPv6 extension header").isEqualTo(Segmenter.UNSUPPORTED);

        Packet.tcp4().payload(3000).gso(VnetHeader.GSO_TCPV4, 0).load(frame);
        assertThat(prepare()).as("gso_size 0").isEqualTo(Segmenter.UNSUPPORTED);

        Packet.tcp6().payload(3000).gso(VnetHeader.GSO_TCPV4, 1000).load(frame);
        assertThat(prepare()).as("TCPV4 on an IPv6 frame").isEqualTo(Segmenter.UNSUPPORTED);

        Packet.udp4().payload(3000).gso(VnetHeader.GSO_TCPV4, 1000).load(frame);
        assertThat(prepare()).as("TCPV4 on UDP").isEqualTo(Segmenter.UNSUPPORTED);

        Packet.tcp4().payload(3000).gso(VnetHeader.GSO_TCPV4, 1000).load(frame);
        frame.buffer().putShort(frame.frame() + 14 + 6, (short) 0x2000);
        assertThat(prepare()).as("an IPv4 fragment").isEqualTo(Segmenter.UNSUPPORTED);

        Packet.tcp4().payload(3000).gso(VnetHeader.GSO_TCPV4, 1000).load(frame);
        frame.buffer().put(frame.frame() + 34 + 12, (byte) 0xf0);
        frame.setLength(34 + 40);
        assertThat(prepare()).as("a TCP header longer than the frame").isEqualTo(Segmenter.UNSUPPORTED);

        Packet.udp4().payload(10).needsChecksum().load(frame);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_OFFSET, 100);
        assertThat(prepare()).as("a checksum field beyond the frame").isEqualTo(Segmenter.UNSUPPORTED);

        Packet.udp4().payload(10).needsChecksum().load(frame);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START, 4);
        assertThat(prepare()).as("a checksum starting inside the Ethernet header").isEqualTo(Segmenter.UNSUPPORTED);

        frame.load(new byte[10]);
        frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        assertThat(prepare()).as("a runt").isEqualTo(Segmenter.UNSUPPORTED);
    }

    private int prepare() {
        return segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false);
    }
}
