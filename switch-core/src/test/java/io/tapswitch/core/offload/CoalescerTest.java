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
 * Software GRO checked byte for byte: wire segments built by {@link Packet} (every checksum
 * computed by its own loop) are merged, the merged frame's headers, vnet header and checksum field
 * are checked against values computed here, and the merged frame is cut again by the
 * {@link Segmenter}, which must give back exactly the segments that went in. Segments that must
 * not merge (a gap, another flow, a bad checksum, other flags, other options, an IP ID out of
 * step) are refused and leave the frame as it was.
 */
class CoalescerTest {
    private static final int MSS = 1410;
    private static final int SEQ = 0x7ffff000; // wraps past 2^31 within a frame
    private final Frame frame = new Frame(4);
    private final Coalescer coalescer = new Coalescer();
    private final byte[] data = Packet.tcp4().payload(70000).payloadBytes();

    private Packet segment(boolean v6, int i, int length, int flags) {
        Packet p = v6 ? Packet.tcp6() : Packet.tcp4();
        return p.seq(SEQ + i * MSS).ipId(0xfffe + i).flags(flags)
                .payload(Arrays.copyOfRange(data, i * MSS, i * MSS + length));
    }

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + 16);
        b.put(16, bytes);
        return b;
    }

    private boolean append(byte[] bytes) {
        return coalescer.append(direct(bytes), 16, bytes.length);
    }

    /** Cuts the frame as the Segmenter does for a port without offloads. */
    private List<byte[]> resegment() {
        Segmenter s = new Segmenter();
        int n = s.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false);
        assertThat(n).isPositive();
        List<byte[]> out = new ArrayList<>();
        ByteBuffer dst = ByteBuffer.allocate(70000);
        for (int i = 0; i < n; i++) {
            int len = s.write(i, dst, 0);
            byte[] b = new byte[len];
            dst.get(0, b);
            out.add(b);
        }
        return out;
    }

    private void mergesAndCutsBackTheSame(boolean v6) {
        int n = 20;
        List<byte[]> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = i == n - 1 ? 700 : MSS;
            in.add(segment(v6, i, length, Packet.ACK | (i == n - 1 ? Packet.PSH : 0)).build());
        }
        frame.load(in.get(0));
        assertThat(coalescer.begin(frame)).isTrue();
        for (int i = 1; i < n; i++) {
            assertThat(append(in.get(i))).as("segment %d", i).isTrue();
        }
        assertThat(coalescer.finish()).isEqualTo(n);

        ByteBuffer b = frame.buffer();
        int hdr = frame.start();
        int l3 = 14;
        int l4 = v6 ? 54 : 34;
        int payload = (n - 1) * MSS + 700;
        assertThat(frame.length()).isEqualTo(l4 + 20 + payload);
        assertThat(VnetHeader.flags(b, hdr)).isEqualTo(VnetHeader.F_NEEDS_CSUM);
        assertThat(VnetHeader.gsoType(b, hdr)).isEqualTo(v6 ? VnetHeader.GSO_TCPV6 : VnetHeader.GSO_TCPV4);
        assertThat(VnetHeader.getLe16(b, hdr + VnetHeader.GSO_SIZE)).isEqualTo(MSS);
        assertThat(VnetHeader.getLe16(b, hdr + VnetHeader.HDR_LEN)).isEqualTo(l4 + 20);
        assertThat(VnetHeader.getLe16(b, hdr + VnetHeader.CSUM_START)).isEqualTo(l4);
        assertThat(VnetHeader.getLe16(b, hdr + VnetHeader.CSUM_OFFSET)).isEqualTo(16);
        byte[] merged = frame.toBytes();
        ByteBuffer m = ByteBuffer.wrap(merged);
        if (v6) {
            assertThat(m.getShort(l3 + 4) & 0xffff).as("IPv6 payload length").isEqualTo(20 + payload);
        } else {
            assertThat(m.getShort(l3 + 2) & 0xffff).as("IPv4 total length").isEqualTo(20 + 20 + payload);
            assertThat(m.getShort(l3 + 4) & 0xffff).as("the first segment's IP ID").isEqualTo(0xfffe);
            assertThat(Packet.fold(Packet.sum(merged, l3, 20, 0))).as("IPv4 header checksum").isEqualTo(0xffff);
        }
        assertThat(m.getInt(l4 + 4)).as("the first segment's seq").isEqualTo(SEQ);
        assertThat(merged[l4 + 13] & 0xff).as("PSH of the last carried over").isEqualTo(Packet.ACK | Packet.PSH);
        assertThat(m.getShort(l4 + 16) & 0xffff).as("pseudo-header sum, for the receiver to complete")
                .isEqualTo(Packet.fold(Packet.pseudo(merged, l3, v6, 6, 20 + payload)));
        assertThat(Arrays.copyOfRange(merged, l4 + 20, merged.length)).isEqualTo(Arrays.copyOf(data, payload));

        List<byte[]> again = resegment();
        assertThat(again).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(again.get(i)).as("segment %d cut again", i).isEqualTo(in.get(i));
        }
    }

    @Test
    void mergesIpv4SegmentsIntoAGsoFrameThatCutsBackIntoTheSameBytes() {
        mergesAndCutsBackTheSame(false);
    }

    @Test
    void mergesIpv6SegmentsIntoAGsoFrameThatCutsBackIntoTheSameBytes() {
        mergesAndCutsBackTheSame(true);
    }

    @Test
    void aTaggedFirstFrameGetsOffsetsBehindTheTag() {
        byte[] first = segment(false, 0, MSS, Packet.ACK).tag(0x8100, 10).build();
        frame.load(first);
        assertThat(coalescer.begin(frame)).isTrue();
        assertThat(append(segment(false, 1, MSS, Packet.ACK).build())).isTrue();
        assertThat(coalescer.finish()).isEqualTo(2);
        int hdr = frame.start();
        assertThat(VnetHeader.getLe16(frame.buffer(), hdr + VnetHeader.CSUM_START)).isEqualTo(38);
        assertThat(VnetHeader.getLe16(frame.buffer(), hdr + VnetHeader.HDR_LEN)).isEqualTo(58);
        assertThat(frame.length()).isEqualTo(58 + 2 * MSS);
    }

    @Test
    void aLoneSegmentStaysAsItWas() {
        byte[] only = segment(false, 0, MSS, Packet.ACK).build();
        frame.load(only);
        assertThat(coalescer.begin(frame)).isTrue();
        assertThat(coalescer.finish()).isEqualTo(1);
        assertThat(frame.toBytes()).isEqualTo(only);
        assertThat(VnetHeader.hasOffload(frame.buffer(), frame.start())).isFalse();
    }

    @Test
    void anOutOfOrderSegmentEndsTheFrame() {
        frame.load(segment(false, 0, MSS, Packet.ACK).build());
        coalescer.begin(frame);
        assertThat(append(segment(false, 1, MSS, Packet.ACK).build())).isTrue();
        byte[] skipped = segment(false, 3, MSS, Packet.ACK).ipId(0xfffe + 2).build();
        assertThat(append(skipped)).as("a gap").isFalse();
        byte[] retransmitted = segment(false, 1, MSS, Packet.ACK).ipId(0xfffe + 2).build();
        assertThat(append(retransmitted)).as("an old segment").isFalse();
        assertThat(coalescer.segments()).isEqualTo(2);
        assertThat(coalescer.finish()).isEqualTo(2);
        assertThat(frame.length()).isEqualTo(54 + 2 * MSS);
    }

    @Test
    void segmentsOfAnotherFlowAreNotMerged() {
        frame.load(segment(false, 0, MSS, Packet.ACK).build());
        coalescer.begin(frame);
        byte[] otherPort = segment(false, 1, MSS, Packet.ACK).build();
        otherPort[34] ^= 1; // TCP source port
        fixTcpChecksum(otherPort, false);
        assertThat(append(otherPort)).isFalse();
        byte[] otherMac = segment(false, 1, MSS, Packet.ACK).macs(0x0200_0000_0009L, 0x0200_0000_0001L).build();
        assertThat(append(otherMac)).isFalse();
        assertThat(append(segment(true, 1, MSS, Packet.ACK).build())).as("IPv6").isFalse();
        assertThat(append(segment(false, 1, MSS, Packet.ACK).build())).as("the right one still merges").isTrue();
    }

    @Test
    void aSegmentWithABadChecksumIsNotMerged() {
        frame.load(segment(false, 0, MSS, Packet.ACK).build());
        coalescer.begin(frame);
        byte[] bad = segment(false, 1, MSS, Packet.ACK).build();
        bad[100] ^= 0x40;
        assertThat(append(bad)).isFalse();
        byte[] badFirst = segment(false, 0, MSS, Packet.ACK).build();
        badFirst[200] ^= 1;
        frame.load(badFirst);
        assertThat(coalescer.begin(frame)).as("nor one to start with").isFalse();
    }

    @Test
    void withoutVerificationABadChecksumIsMergedAsTheCallerVouchesForTheBytes() {
        frame.load(segment(false, 0, MSS, Packet.ACK).build());
        assertThat(coalescer.begin(frame, false)).isTrue();
        byte[] bad = segment(false, 1, MSS, Packet.ACK).build();
        bad[100] ^= 0x40;
        assertThat(append(bad)).isTrue();
        assertThat(coalescer.finish()).isEqualTo(2);
        frame.load(segment(false, 0, MSS, Packet.ACK).build());
        assertThat(coalescer.begin(frame)).as("verifying again from the next frame on").isTrue();
        assertThat(append(bad)).isFalse();
    }

    /** Cuts {@code frame}'s GSO frame (untouched) into wire segments, with partial TCP checksums or full ones. */
    private static List<byte[]> cut(Frame source, boolean partial) {
        Segmenter s = new Segmenter();
        s.partialTcpChecksums(partial);
        int n = s.prepare(source.buffer(), source.start(), source.frame(), source.length(), false);
        List<byte[]> out = new ArrayList<>();
        ByteBuffer dst = ByteBuffer.allocate(70000);
        for (int i = 0; i < n; i++) {
            int len = s.write(i, dst, 0);
            byte[] b = new byte[len];
            dst.get(0, b);
            out.add(b);
        }
        return out;
    }

    @Test
    void partialChecksumsFromATrustedSenderMergeAndComeOutCompleteWhenCutAgain() {
        for (boolean v6 : new boolean[] {false, true}) {
            Frame source = new Frame(4);
            (v6 ? Packet.tcp6() : Packet.tcp4()).flags(Packet.ACK | Packet.PSH).payload(20000)
                    .gso(v6 ? VnetHeader.GSO_TCPV6 : VnetHeader.GSO_TCPV4, MSS).load(source);
            List<byte[]> full = cut(source, false);
            List<byte[]> partial = cut(source, true);
            assertThat(partial).hasSameSizeAs(full).hasSize(15);
            int l3 = 14;
            int l4 = v6 ? 54 : 34;
            for (int i = 0; i < partial.size(); i++) {
                byte[] p = partial.get(i);
                assertThat(Arrays.copyOfRange(p, 0, l4 + 16)).as("headers as with full checksums")
                        .isEqualTo(Arrays.copyOfRange(full.get(i), 0, l4 + 16));
                assertThat(ByteBuffer.wrap(p).getShort(l4 + 16) & 0xffff).as("segment %d: the pseudo-header sum only", i)
                        .isEqualTo(Packet.fold(Packet.pseudo(p, l3, v6, 6, p.length - l4)));
            }
            frame.load(partial.get(0));
            assertThat(coalescer.begin(frame, false)).isTrue();
            for (int i = 1; i < partial.size(); i++) {
                assertThat(append(partial.get(i))).isTrue();
            }
            assertThat(coalescer.finish()).isEqualTo(15);
            assertThat(resegment()).as("cut again with full checksums: the segments a wire carries")
                    .usingElementComparator(Arrays::compare).containsExactlyElementsOf(full);
        }
    }

    @Test
    void aLoneUnverifiedSegmentLeavesAskingForItsChecksum() {
        Frame source = new Frame(4);
        Packet.tcp4().payload(MSS).gso(VnetHeader.GSO_TCPV4, MSS).load(source);
        byte[] partial = cut(source, true).get(0);
        frame.load(partial);
        assertThat(coalescer.begin(frame, false)).isTrue();
        assertThat(coalescer.finish()).isEqualTo(1);
        ByteBuffer b = frame.buffer();
        int hdr = frame.start();
        assertThat(VnetHeader.flags(b, hdr)).isEqualTo(VnetHeader.F_NEEDS_CSUM);
        assertThat(VnetHeader.gsoType(b, hdr)).isEqualTo(VnetHeader.GSO_NONE);
        assertThat(VnetHeader.getLe16(b, hdr + VnetHeader.CSUM_START)).isEqualTo(34);
        assertThat(VnetHeader.getLe16(b, hdr + VnetHeader.CSUM_OFFSET)).isEqualTo(16);
        Segmenter s = new Segmenter();
        assertThat(s.prepare(b, hdr, frame.frame(), frame.length(), false)).isEqualTo(1);
        ByteBuffer dst = ByteBuffer.allocate(2000);
        int len = s.write(0, dst, 0);
        byte[] completed = new byte[len];
        dst.get(0, completed);
        assertThat(completed).as("completed downstream: the full-checksum segment").isEqualTo(cut(source, false).get(0));
    }

    @Test
    void segmentsAReceiverWouldNotMergeKeepFullChecksums() {
        Frame source = new Frame(4);
        Packet.tcp4().tag(0x8100, 7).payload(3000).gso(VnetHeader.GSO_TCPV4, MSS).load(source);
        assertThat(cut(source, true)).as("a C-tag inside").usingElementComparator(Arrays::compare)
                .containsExactlyElementsOf(cut(source, false));
        Packet.tcp4().flags(Packet.ACK | Packet.FIN).payload(MSS + 3).gso(VnetHeader.GSO_TCPV4, MSS).load(source);
        List<byte[]> partial = cut(source, true);
        List<byte[]> full = cut(source, false);
        assertThat(partial.get(1)).as("3 bytes: padded, and FIN").isEqualTo(full.get(1));
        assertThat(partial.get(0)).as("the first may be partial").isNotEqualTo(full.get(0));
        Packet.tcp4().ipOptions(4).payload(3000).gso(VnetHeader.GSO_TCPV4, MSS).load(source);
        assertThat(cut(source, true)).as("IP options").usingElementComparator(Arrays::compare)
                .containsExactlyElementsOf(cut(source, false));
    }

    @Test
    void flagsOptionsAndIpIdsMustMatch() {
        frame.load(segment(false, 0, MSS, Packet.ACK).tcpOptions(12).build());
        assertThat(coalescer.begin(frame)).isTrue();
        assertThat(append(segment(false, 1, MSS, Packet.ACK).tcpOptions(12).flags(Packet.ACK | Packet.FIN).build())).isFalse();
        assertThat(append(segment(false, 1, MSS, Packet.ACK).tcpOptions(12).flags(Packet.ACK | Packet.CWR).build())).isFalse();
        assertThat(append(segment(false, 1, MSS, Packet.ACK).build())).as("no options").isFalse();
        byte[] otherOptions = segment(false, 1, MSS, Packet.ACK).tcpOptions(12).build();
        otherOptions[54 + 3] = 8; // a different option byte (timestamps that moved on)
        fixTcpChecksum(otherOptions, false);
        assertThat(append(otherOptions)).isFalse();
        assertThat(append(segment(false, 1, MSS, Packet.ACK).tcpOptions(12).ipId(0x1111).build())).as("IP ID").isFalse();
        assertThat(append(segment(false, 1, MSS, Packet.ACK).tcpOptions(12).build())).isTrue();

        frame.load(segment(false, 0, MSS, Packet.ACK | Packet.SYN).build());
        assertThat(coalescer.begin(frame)).as("SYN").isFalse();
        frame.load(segment(false, 0, 0, Packet.ACK).build());
        assertThat(coalescer.begin(frame)).as("a bare ACK").isFalse();
        frame.load(segment(false, 0, MSS, Packet.ACK).ipOptions(4).build());
        assertThat(coalescer.begin(frame)).as("IP options").isFalse();
    }

    @Test
    void pshOrAShortSegmentEndsTheFrame() {
        frame.load(segment(false, 0, MSS, Packet.ACK).build());
        coalescer.begin(frame);
        assertThat(append(segment(false, 1, MSS, Packet.ACK | Packet.PSH).build())).isTrue();
        assertThat(append(segment(false, 2, MSS, Packet.ACK).build())).as("after PSH").isFalse();
        coalescer.finish();

        frame.load(segment(false, 0, MSS, Packet.ACK).build());
        coalescer.begin(frame);
        assertThat(append(segment(false, 1, 500, Packet.ACK).build())).isTrue();
        byte[] next = segment(false, 2, MSS, Packet.ACK).seq(SEQ + MSS + 500).build();
        assertThat(append(next)).as("after a short one").isFalse();
        assertThat(append(segment(false, 2, MSS + 10, Packet.ACK).build())).as("longer than the first").isFalse();
    }

    @Test
    void neverGrowsPast64Kilobytes() {
        frame.load(segment(false, 0, MSS, Packet.ACK).build());
        coalescer.begin(frame);
        int merged = 1;
        while (append(segment(false, merged, MSS, Packet.ACK).build())) {
            merged++;
        }
        assertThat(merged).as("(65535 - 40) / 1410 segments").isEqualTo(46);
        assertThat(coalescer.finish()).isEqualTo(46);
        assertThat(frame.length() - 14).isLessThanOrEqualTo(65535);
    }

    private static void fixTcpChecksum(byte[] seg, boolean v6) {
        int l3 = 14;
        int l4 = v6 ? 54 : 34;
        seg[l4 + 16] = 0;
        seg[l4 + 17] = 0;
        int check = ~Packet.fold(Packet.sum(seg, l4, seg.length - l4, Packet.pseudo(seg, l3, v6, 6, seg.length - l4))) & 0xffff;
        seg[l4 + 16] = (byte) (check >>> 8);
        seg[l4 + 17] = (byte) check;
    }
}
