package io.tapswitch.core.port;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.sys.IfPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class StrippedTagTest {
    private static final long DST = Frames.mac("02:00:00:00:00:02");
    private static final long SRC = Frames.mac("02:00:00:00:00:01");

    @ParameterizedTest(name = "status {0}, tci {1} -> tagged {2}")
    @CsvSource({
            "0x00, 0x0000, false",
            "0x10, 0x0000, true",
            "0x10, 0x0064, true",
            "0x00, 0x0064, true",
            "0x80, 0x0000, false",
    })
    void aTagIsPresentWhenTheKernelSaysSoOrTheTciIsNonzero(String status, String tci, boolean expected) {
        assertThat(StrippedTag.present(Integer.decode(status), Integer.decode(tci))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "status {0}, tpid {1} -> {2}")
    @CsvSource({
            "0x10, 0x0000, 0x8100",
            "0x10, 0x88a8, 0x8100",
            "0x50, 0x88a8, 0x88a8",
            "0x50, 0x8100, 0x8100",
            "0x50, 0x0000, 0x8100",
    })
    void tpidComesFromTheKernelOnlyWhenMarkedValid(String status, String tpid, String expected) {
        assertThat(StrippedTag.tpid(Integer.decode(status), Integer.decode(tpid))).isEqualTo(Integer.decode(expected));
    }

    @ParameterizedTest(name = "tpid {0} tci {1}")
    @CsvSource({"0x8100, 0x0064", "0x88a8, 0xe00a", "0x8100, 0x2000"})
    void restoresTheTagAfterTheSourceMacAndKeepsThePayload(String tpid, String tci) {
        int t = Integer.decode(tpid);
        int c = Integer.decode(tci);
        Frame frame = new Frame(4);
        frame.load(Frames.ethernet(DST, SRC, Ethernet.ETH_P_IPV4, 46));

        assertThat(StrippedTag.restore(frame, t, c)).isTrue();

        assertThat(frame.toBytes()).isEqualTo(Frames.tagged(DST, SRC, t, c, Ethernet.ETH_P_IPV4, 46));
        assertThat(frame.start()).isEqualTo(Frame.HEADROOM - Ethernet.TAG_LEN);
    }

    @Test
    void movesTheVnetHeaderAndItsOffsetsWithTheMacs() {
        Frame frame = new Frame(4);
        frame.load(Frames.ethernet(DST, SRC, Ethernet.ETH_P_IPV4, 2000));
        int hdr = frame.start();
        frame.buffer().put(hdr + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        frame.buffer().put(hdr + VnetHeader.GSO_TYPE, (byte) VnetHeader.GSO_TCPV4);
        VnetHeader.putLe16(frame.buffer(), hdr + VnetHeader.HDR_LEN, 54);
        VnetHeader.putLe16(frame.buffer(), hdr + VnetHeader.GSO_SIZE, 1448);
        VnetHeader.putLe16(frame.buffer(), hdr + VnetHeader.CSUM_START, 34);
        VnetHeader.putLe16(frame.buffer(), hdr + VnetHeader.CSUM_OFFSET, 16);

        StrippedTag.restore(frame, Ethernet.ETH_P_8021Q, 7);

        int moved = frame.start();
        assertThat(VnetHeader.flags(frame.buffer(), moved)).isEqualTo(VnetHeader.F_NEEDS_CSUM);
        assertThat(VnetHeader.gsoType(frame.buffer(), moved)).isEqualTo(VnetHeader.GSO_TCPV4);
        assertThat(VnetHeader.getLe16(frame.buffer(), moved + VnetHeader.HDR_LEN)).isEqualTo(58);
        assertThat(VnetHeader.getLe16(frame.buffer(), moved + VnetHeader.GSO_SIZE)).isEqualTo(1448);
        assertThat(VnetHeader.getLe16(frame.buffer(), moved + VnetHeader.CSUM_START)).isEqualTo(38);
        assertThat(VnetHeader.getLe16(frame.buffer(), moved + VnetHeader.CSUM_OFFSET)).isEqualTo(16);
        assertThat(Ethernet.type(frame.buffer(), frame.frame())).isEqualTo(Ethernet.ETH_P_8021Q);
        assertThat(frame.buffer().getShort(frame.frame() + Ethernet.INNER_TYPE)).isEqualTo((short) Ethernet.ETH_P_IPV4);
        assertThat(frame.length()).isEqualTo(14 + 2000 + 4);
    }

    @Test
    void refusesWithoutHeadroomOrMacs() {
        Frame frame = new Frame(4);
        frame.load(Frames.ethernet(DST, SRC, Ethernet.ETH_P_IPV4, 46));
        frame.shiftHead(Frame.HEADROOM - 2);
        byte[] before = frame.toBytes();
        assertThat(StrippedTag.restore(frame, Ethernet.ETH_P_8021Q, 1)).isFalse();
        assertThat(frame.toBytes()).isEqualTo(before);

        Frame runt = new Frame(4);
        runt.load(new byte[10]);
        assertThat(StrippedTag.restore(runt, Ethernet.ETH_P_8021Q, 1)).isFalse();
        assertThat(runt.length()).isEqualTo(10);
    }

    @Test
    void auxdataStatusBitsAreTheKernels() {
        assertThat(IfPacket.TP_STATUS_VLAN_VALID).isEqualTo(0x10);
        assertThat(IfPacket.TP_STATUS_VLAN_TPID_VALID).isEqualTo(0x40);
    }
}
