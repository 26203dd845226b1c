package io.tapswitch.core.offload;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.VnetHeader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The segmenter at its limits: headers that end exactly where the frame does (accepted) or a byte
 * short of it (refused), bounds met exactly, headers that only look like IP, and what a write may
 * touch.
 *
 * <p>Equivalent mutants: the {@code headLength() > MAX_HEAD} refusals are unreachable for GSO and
 * single TCP frames (two tags, a 60-byte IPv4 header and a 60-byte TCP header make 142 bytes);
 * {@code parseIp}'s own length checks, and {@code cutsTcp}'s {@code l4 + 20 > end}, only refuse frames
 * that the L4 checks after them refuse anyway; {@code headLength() + mss > maxFrame} as {@code >=}
 * sets the MSS it already has; {@code maxFrame > 0} as {@code >= 0} (a bound of 0 then never leaves
 * room for a segment); and TCP's {@code l4 + 20 > end} computed with a minus (the data offset check
 * after it refuses the same frames); {@code mergeable}'s {@code segment > 0} as {@code >= 0} (a
 * segment without payload is 54 bytes, below the 60 its next check asks for).
 */
class SegmenterEdgesTest {
    private static final long DST = Frames.mac("02:00:00:00:00:02");
    private static final long SRC = Frames.mac("02:00:00:00:00:01");

    private final Frame frame = new Frame(4);
    private final Segmenter segmenter = new Segmenter();

    private int prepare(int maxFrame, boolean dropOuterTag) {
        return segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), dropOuterTag, maxFrame);
    }

    private int prepare() {
        return prepare(0, false);
    }

    private void loadGso(byte[] bytes, int type, int mss) {
        frame.load(bytes);
        frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        frame.buffer().put(frame.start() + VnetHeader.GSO_TYPE, (byte) type);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.GSO_SIZE, mss);
    }

    private byte[] written(int i) {
        ByteBuffer dst = ByteBuffer.allocate(70_000);
        int n = segmenter.write(i, dst, 0);
        return Arrays.copyOf(dst.array(), n);
    }

    @Test
    void aBareEthernetHeaderOrATagEndingTheFrameIsAPlainFrame() {
        frame.load(Frames.ethernet(DST, SRC, 0x88b5, 0));
        assertThat(prepare()).isEqualTo(1);
        assertThat(segmenter.count()).isEqualTo(1);
        frame.load(Arrays.copyOf(Frames.tagged(DST, SRC, 0x8100, 10, 0x88b5, 0), 18));
        assertThat(prepare()).isEqualTo(1);
        frame.load(Arrays.copyOf(Frames.tagged(DST, SRC, 0x8100, 10, 0x88b5, 0), 17));
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
        assertThat(segmenter.count()).isZero();
        frame.load(Arrays.copyOf(Frames.ethernet(DST, SRC, 0x88b5, 0), 13));
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void looksThroughTwoTagsAtMost() {
        loadGso(Packet.tcp4().tag(0x88a8, 1).tag(0x8100, 2).payload(3000).build(), VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare()).isEqualTo(3);
        loadGso(Packet.tcp4().tag(0x88a8, 1).tag(0x8100, 2).tag(0x8100, 3).payload(3000).build(), VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void aFrameOfExactlyTheBoundIsNotCutAndADroppedTagDoesNotCount() {
        Packet p = Packet.tcp4().tag(0x8100, 10).payload(1000);
        p.load(frame);
        int length = frame.length();
        assertThat(prepare(length, false)).isEqualTo(1);
        assertThat(segmenter.segments()).isFalse();
        assertThat(prepare(length - 4, true)).isEqualTo(1);
        assertThat(segmenter.segments()).isFalse();
        assertThat(segmenter.largest()).isEqualTo(length - 4);
        assertThat(prepare(length - 5, true)).isEqualTo(2);
    }

    @Test
    void aLoneSegmentIsCutToExactlyTheSmallestSegmentAndCountedExactly() {
        // head 54: a bound of 590 leaves exactly 536 bytes per segment
        Packet.tcp4().payload(1072).load(frame);
        assertThat(prepare(590, false)).isEqualTo(2);
        assertThat(segmenter.largest()).isEqualTo(590);
        assertThat(segmenter.length(1)).isEqualTo(590);
        Packet.tcp4().payload(1072).load(frame);
        assertThat(prepare(589, false)).as("535 bytes per segment is too small").isEqualTo(1);
        assertThat(segmenter.segments()).isFalse();
    }

    @Test
    void aSuperFrameIsCutToExactlyTheSmallestSegmentButNoSmaller() {
        loadGso(Packet.tcp4().payload(3000).build(), VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare(590, false)).isEqualTo((3000 + 535) / 536);
        assertThat(segmenter.largest()).isEqualTo(590);
        loadGso(Packet.tcp4().payload(3000).build(), VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare(500, false)).isEqualTo(3);
        assertThat(segmenter.largest()).as("left at the guest's MSS for the caller to refuse").isEqualTo(1054);
    }

    @Test
    void aLongFrameThatIsNoIpIsNeverCut() {
        frame.load(Frames.ethernet(DST, SRC, 0x88b5, 2000));
        assertThat(prepare(1000, false)).isEqualTo(1);
        assertThat(segmenter.segments()).isFalse();
        assertThat(segmenter.largest()).isEqualTo(2014);
    }

    @Test
    void headersThatEndTheFrameAreSegmentedAndTruncatedOnesRefused() {
        loadGso(Packet.tcp4().tcpOptions(12).payload(0).build(), VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare()).isEqualTo(1);
        assertThat(segmenter.length(0)).isEqualTo(14 + 20 + 32);

        byte[] tcp = Packet.tcp4().payload(100).build();
        loadGso(Arrays.copyOf(tcp, 14 + 20 + 20), VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare()).isEqualTo(1);
        loadGso(Arrays.copyOf(tcp, 14 + 20 + 19), VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);

        byte[] udp = Packet.udp4().payload(100).build();
        loadGso(Arrays.copyOf(udp, 14 + 20 + 8), VnetHeader.GSO_UDP_L4, 1000);
        assertThat(prepare()).isEqualTo(1);
        loadGso(Arrays.copyOf(udp, 14 + 20 + 7), VnetHeader.GSO_UDP_L4, 1000);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);

        byte[] v6 = Packet.tcp6().payload(100).build();
        loadGso(Arrays.copyOf(v6, 14 + 39), VnetHeader.GSO_TCPV6, 1000);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void anIpHeaderOfTheWrongVersionIsRefused() {
        byte[] v4 = Packet.tcp4().payload(3000).build();
        v4[14] = 0x55;
        loadGso(v4, VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);

        byte[] v6 = Packet.tcp6().payload(3000).build();
        v6[14] = 0x40;
        loadGso(v6, VnetHeader.GSO_TCPV6, 1000);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void aGsoFrameThatIsNoIpIsRefusedWhateverCameBefore() {
        byte[] tcp = Packet.tcp4().payload(3000).build();
        loadGso(tcp, VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare()).isEqualTo(3);
        byte[] notIp = tcp.clone();
        notIp[12] = (byte) 0x88;
        notIp[13] = (byte) 0xb5;
        loadGso(notIp, VnetHeader.GSO_TCPV4, 1000);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void aChecksumMayStartAtTheIpHeaderAndEndWithTheFrame() {
        byte[] udp = Packet.udp4().payload(20).build();
        frame.load(udp);
        frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START, 14);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_OFFSET, udp.length - 14 - 2);
        assertThat(prepare()).isEqualTo(1);
        assertThat(segmenter.length(0)).isEqualTo(udp.length);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START, 13);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_OFFSET, udp.length - 13 - 2);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START, 14);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_OFFSET, udp.length - 14 - 1);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void aChecksumFieldMayEndExactlyAtTheLongestHead() {
        byte[] plain = Frames.ethernet(DST, SRC, 0x0800, 300);
        plain[14] = 0x45;
        frame.load(plain);
        frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START, 34);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_OFFSET, Segmenter.MAX_HEAD - 2 - 34);
        assertThat(prepare()).isEqualTo(1);
        assertThat(segmenter.length(0)).isEqualTo(314);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_OFFSET, Segmenter.MAX_HEAD - 1 - 34);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void aDroppedTagDoesNotCountAgainstTheHeadOfAChecksumFrame() {
        byte[] tagged = Frames.tagged(DST, SRC, 0x8100, 10, 0x0800, 300);
        tagged[18] = 0x45;
        frame.load(tagged);
        frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START, 38);
        // the checksum field ends MAX_HEAD bytes into the frame as sent, the tag left out
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_OFFSET, Segmenter.MAX_HEAD + 4 - 2 - 38);
        assertThat(prepare(0, true)).isEqualTo(1);
        assertThat(segmenter.length(0)).isEqualTo(tagged.length - 4);
        assertThat(written(0)).hasSize(tagged.length - 4);
        assertThat(prepare(0, false)).as("with its tag the head is too long").isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void anIpv6HeaderOfTheWrongVersionIsRefusedAfterAGoodOne() {
        loadGso(Packet.tcp6().payload(3000).build(), VnetHeader.GSO_TCPV6, 1000);
        assertThat(prepare()).isEqualTo(3);
        byte[] v6 = Packet.tcp6().payload(3000).build();
        v6[14] = 0x40;
        loadGso(v6, VnetHeader.GSO_TCPV6, 1000);
        assertThat(prepare()).isEqualTo(Segmenter.UNSUPPORTED);
    }

    @Test
    void bytesLeftBehindTheFrameByALongerOneDoNotEnterTheChecksum() {
        byte[] garbage = new byte[5000];
        new java.util.Random(9).nextBytes(garbage);
        frame.load(garbage);
        Packet p = Packet.udp4().payload(21).needsChecksum();
        p.load(frame);
        assertThat(prepare()).isEqualTo(1);
        Packet complete = Packet.udp4().payload(21);
        assertThat(written(0)).isEqualTo(complete.build());

        frame.load(garbage);
        Packet gso = Packet.tcp4().payload(1500).gso(VnetHeader.GSO_TCPV4, 1000);
        gso.load(frame);
        assertThat(prepare()).isEqualTo(2);
        byte[] second = written(1);
        long pseudo = Packet.pseudo(second, 14, false, 6, second.length - 34);
        assertThat(Packet.fold(Packet.sum(second, 34, second.length - 34, pseudo))).isEqualTo(0xffff);
    }

    @Test
    void aHeadIsWrittenWithinItsOwnLengthAndOnlyForFramesThatExist() {
        for (boolean gso : new boolean[] {false, true}) {
            Packet p = Packet.tcp4().tag(0x8100, 10).payload(3000);
            if (gso) {
                p.gso(VnetHeader.GSO_TCPV4, 1000);
            } else {
                p.needsChecksum();
            }
            p.load(frame);
            int n = prepare(0, true);
            ByteBuffer dst = ByteBuffer.allocate(4096);
            Arrays.fill(dst.array(), (byte) 0xee);
            int head = segmenter.writeHead(n - 1, dst, 100);
            for (int i = 0; i < dst.capacity(); i++) {
                if (i < 100 || i >= 100 + head) {
                    assertThat(dst.get(i)).as("byte %d outside the %d-byte head (gso %s)", i, head, gso).isEqualTo((byte) 0xee);
                }
            }
            assertThatThrownBy(() -> segmenter.writeHead(n, dst, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    /** The TCP checksum field of output frame {@code i} of the loaded frame, cut with partial checksums asked for. */
    private int partialChecksumField(int i) {
        segmenter.partialTcpChecksums(true);
        try {
            assertThat(prepare()).isPositive();
            return ByteBuffer.wrap(written(i)).getShort(34 + 16) & 0xffff;
        } finally {
            segmenter.partialTcpChecksums(false);
        }
    }

    private static int pseudoHeaderSum(byte[] segment) {
        return Packet.fold(Packet.pseudo(segment, 14, false, 6, segment.length - 34));
    }

    @Test
    void aSegmentOfExactlySixtyBytesMayLeaveWithAPartialChecksum() {
        Packet.tcp4().payload(1006).gso(VnetHeader.GSO_TCPV4, 1000).load(frame);
        int field = partialChecksumField(1);
        byte[] last = written(1);
        assertThat(last).hasSize(60);
        assertThat(field).isEqualTo(pseudoHeaderSum(last));
    }

    @Test
    void aSegmentWithTheReservedIpFlagKeepsItsFullChecksum() {
        byte[] evil = Packet.tcp4().payload(3000).build();
        evil[14 + 6] |= (byte) 0x80;
        loadGso(evil, VnetHeader.GSO_TCPV4, 1000);
        int field = partialChecksumField(0);
        byte[] first = written(0);
        assertThat(field).isNotEqualTo(pseudoHeaderSum(first));
        assertThat(Packet.fold(Packet.sum(first, 34, first.length - 34, Packet.pseudo(first, 14, false, 6, first.length - 34))))
                .isEqualTo(0xffff);
    }

    @Test
    void aUdpSegmentWhoseChecksumComesToZeroSendsAllOnes() {
        // RFC 768: a computed checksum of 0 is sent as 0xffff, since 0 means "none".
        byte[] payload = new byte[40];
        byte[] plain = Packet.udp4().payload(payload).build();
        plain[40] = 0;
        plain[41] = 0;
        long pseudo = Packet.pseudo(plain, 14, false, 17, plain.length - 34);
        int sum = Packet.fold(Packet.sum(plain, 34, plain.length - 34, pseudo));
        int word = ~sum & 0xffff;
        payload[payload.length - 2] = (byte) (word >>> 8);
        payload[payload.length - 1] = (byte) word;
        Packet.udp4().payload(payload).gso(VnetHeader.GSO_UDP_L4, 1000).load(frame);
        assertThat(prepare()).isEqualTo(1);
        byte[] out = written(0);
        assertThat(out[40] & 0xff).isEqualTo(0xff);
        assertThat(out[41] & 0xff).isEqualTo(0xff);
    }
}
