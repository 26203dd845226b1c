package io.tapswitch.core.frame;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame slot's layout and its in-place operations, read back byte by byte.
 *
 * <p>Equivalent mutants: {@code shiftHead}'s {@code delta > 0} as {@code >= 0} (never called with 0)
 * and its copy of one byte more (the TPID slot, which the caller writes next); {@code snap}/
 * {@code unsnap} saving or restoring zero tail bytes ({@code > 0} as {@code >= 0}); and
 * {@link Ethernet#destination}'s and {@link VnetHeader#flags}'s offset arithmetic (both fields are at
 * offset 0); and {@code copyFrom} copying one byte more than the frame.
 */
class FrameTest {
    private static final long DST = Frames.mac("02:00:00:00:00:02");
    private static final long SRC = Frames.mac("02:00:00:00:00:01");

    @Test
    void aNewSlotHasItsHeadroomAndTheDefaultTag() {
        Frame frame = new Frame(4);
        assertThat(frame.start()).isEqualTo(Frame.HEADROOM);
        assertThat(frame.frame()).isEqualTo(Frame.HEADROOM + VnetHeader.LEN);
        assertThat(frame.tpid).isEqualTo(Ethernet.ETH_P_8021Q);
        assertThat(frame.length()).isZero();
        assertThat(frame.readCapacity()).isEqualTo(Frame.CAPACITY - Frame.HEADROOM);
        frame.shiftHead(4);
        assertThat(frame.readCapacity()).isEqualTo(Frame.CAPACITY - Frame.HEADROOM + 4);
    }

    @Test
    void aReadCountsTheVnetHeaderOutOfTheFrameLength() {
        Frame frame = new Frame(4);
        frame.received(VnetHeader.LEN + 60);
        assertThat(frame.length()).isEqualTo(60);
    }

    @Test
    void copyFromTakesTheBytesAndTheDecisionState() {
        Frame a = new Frame(4);
        byte[] bytes = Frames.ethernet(DST, SRC, 0x0800, 80);
        a.load(bytes);
        a.buffer().put(a.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        a.shiftHead(4);
        a.vlan = 7;
        a.pcp = 3;
        a.tagged = true;
        a.tpid = Ethernet.ETH_P_8021AD;
        a.inPort = 2;
        a.tunnelSource = TunnelSource.of(0x0a000001, 4789);
        a.refusal = 9;
        Frame b = new Frame(4);
        b.copyFrom(a);
        assertThat(b.toBytes()).isEqualTo(a.toBytes());
        assertThat(b.start()).isEqualTo(a.start());
        assertThat(VnetHeader.flags(b.buffer(), b.start())).isEqualTo(VnetHeader.F_NEEDS_CSUM);
        assertThat(new Object[] {b.vlan, b.pcp, b.tagged, b.tpid, b.inPort, b.tunnelSource, b.refusal})
                .containsExactly(7, 3, true, Ethernet.ETH_P_8021AD, 2, a.tunnelSource, 9);
    }

    @Test
    void aSnapNoShorterThanTheFrameChangesNothing() {
        Frame frame = new Frame(4);
        frame.load(Frames.ethernet(DST, SRC, 0x0800, 86));
        frame.buffer().put(frame.start() + VnetHeader.GSO_TYPE, (byte) VnetHeader.GSO_TCPV4);
        assertThat(frame.snap(100)).isFalse();
        assertThat(frame.snap(0)).isFalse();
        assertThat(frame.length()).isEqualTo(100);
        assertThat(VnetHeader.hasOffload(frame.buffer(), frame.start())).isTrue();
    }

    @Test
    void aSnappedCopyCarriesNoOffloadAndTheWholeFrameGetsItBack() {
        Frame frame = new Frame(4);
        frame.load(Frames.ethernet(DST, SRC, 0x0800, 86));
        frame.buffer().put(frame.start() + VnetHeader.GSO_TYPE, (byte) VnetHeader.GSO_TCPV4);
        assertThat(frame.snap(99)).isTrue();
        assertThat(frame.length()).isEqualTo(99);
        assertThat(VnetHeader.hasOffload(frame.buffer(), frame.start())).isFalse();
        frame.unsnap();
        assertThat(frame.length()).isEqualTo(100);
        assertThat(VnetHeader.gsoType(frame.buffer(), frame.start())).isEqualTo(VnetHeader.GSO_TCPV4);
    }

    @Test
    void writesAndReadsMacsAtAnyOffset() {
        ByteBuffer buf = ByteBuffer.allocate(20);
        Ethernet.writeMac(buf, 3, Frames.mac("52:54:00:ab:cd:ef"));
        assertThat(buf.get(3)).isEqualTo((byte) 0x52);
        assertThat(buf.get(8)).isEqualTo((byte) 0xef);
        assertThat(MacAddress.format(Ethernet.readMac(buf, 3))).isEqualTo("52:54:00:ab:cd:ef");
    }

    @Test
    void parsesDashSeparatedAndUpperCaseMacsButNoOtherSeparator() {
        assertThat(MacAddress.parse("52-54-00-AB-CD-EF")).isEqualTo(Frames.mac("52:54:00:ab:cd:ef"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MacAddress.parse("52.54.00.ab.cd.ef"))
                .hasMessageContaining("aa:bb:cc:dd:ee:ff");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MacAddress.parse("52:54:00:ab:cd.ef"))
                .hasMessageContaining("aa:bb:cc:dd:ee:ff");
    }

    @Test
    void clearZeroesTheWholeVnetHeader() {
        ByteBuffer buf = ByteBuffer.allocate(30);
        for (int i = 0; i < 30; i++) {
            buf.put(i, (byte) 0x5a);
        }
        VnetHeader.clear(buf, 10);
        for (int i = 0; i < 30; i++) {
            assertThat(buf.get(i)).as("byte %d", i).isEqualTo(i >= 10 && i < 20 ? (byte) 0 : (byte) 0x5a);
        }
    }

    @Test
    void shiftingOffsetsMovesOnlyTheOnesTheFlagsSayAreThere() {
        ByteBuffer buf = ByteBuffer.allocate(VnetHeader.LEN);
        buf.put(VnetHeader.GSO_TYPE, (byte) VnetHeader.GSO_TCPV4);
        VnetHeader.putLe16(buf, VnetHeader.HDR_LEN, 54);
        VnetHeader.putLe16(buf, VnetHeader.CSUM_START, 34);
        VnetHeader.shiftOffsets(buf, 0, 4);
        assertThat(VnetHeader.getLe16(buf, VnetHeader.HDR_LEN)).isEqualTo(58);
        assertThat(VnetHeader.getLe16(buf, VnetHeader.CSUM_START)).as("no NEEDS_CSUM: not an offset").isEqualTo(34);
    }
}
