package io.tapswitch.core.frame;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EthernetTest {

    @Test
    void headerOffsetsMatchTheStandard() {
        assertThat(Ethernet.DST).isEqualTo(0);
        assertThat(Ethernet.SRC).isEqualTo(6);
        assertThat(Ethernet.TYPE).isEqualTo(12);
        assertThat(Ethernet.HEADER_LEN).isEqualTo(14);
        assertThat(Ethernet.TCI).isEqualTo(14);
        assertThat(Ethernet.INNER_TYPE).isEqualTo(16);
        assertThat(VnetHeader.LEN).isEqualTo(10);
        assertThat(VnetHeader.CSUM_OFFSET + 2).isEqualTo(VnetHeader.LEN);
    }

    @ParameterizedTest
    @CsvSource({
            "ff:ff:ff:ff:ff:ff, 02:00:00:00:00:01, 0x0806, 28",
            "02:00:00:00:00:02, 02:00:00:00:00:01, 0x0800, 46",
            "01:00:5e:00:00:fb, 52:54:00:12:34:56, 0x0800, 100",
            "33:33:00:00:00:01, aa:bb:cc:dd:ee:ff, 0x86dd, 1500",
    })
    void parsesAddressesAndType(String dst, String src, String type, int payload) {
        byte[] bytes = Frames.ethernet(MacAddress.parse(dst), MacAddress.parse(src), Integer.decode(type), payload);
        Frame frame = new Frame(4);
        frame.load(bytes);
        assertThat(MacAddress.format(Ethernet.destination(frame.buffer(), frame.frame()))).isEqualTo(dst);
        assertThat(MacAddress.format(Ethernet.source(frame.buffer(), frame.frame()))).isEqualTo(src);
        assertThat(Ethernet.type(frame.buffer(), frame.frame())).isEqualTo(Integer.decode(type));
        assertThat(frame.length()).isEqualTo(14 + payload);
        assertThat(frame.toBytes()).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({
            // mac, multicast, broadcast, learnable, reserved
            "ff:ff:ff:ff:ff:ff, true,  true,  false, false",
            "00:00:00:00:00:00, false, false, false, false",
            "01:80:c2:00:00:00, true,  false, false, true",
            "01:80:c2:00:00:0e, true,  false, false, true",
            "01:80:c2:00:00:0f, true,  false, false, true",
            "01:80:c2:00:00:10, true,  false, false, false",
            "01:00:5e:7f:00:01, true,  false, false, false",
            "33:33:ff:00:00:01, true,  false, false, false",
            "02:00:00:00:00:01, false, false, true,  false",
            "52:54:00:12:34:56, false, false, true,  false",
    })
    void classifiesAddresses(String text, boolean multicast, boolean broadcast, boolean learnable, boolean reserved) {
        long mac = MacAddress.parse(text);
        assertThat(MacAddress.isMulticast(mac)).isEqualTo(multicast);
        assertThat(MacAddress.isBroadcast(mac)).isEqualTo(broadcast);
        assertThat(MacAddress.isLearnable(mac)).isEqualTo(learnable);
        assertThat(MacAddress.isBridgeReserved(mac)).isEqualTo(reserved);
        assertThat(MacAddress.format(mac)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"02:00:00:00:00", "02:00:00:00:00:0g", "0200.0000.0001", "02:00:00:00:00:001", "''"})
    void rejectsMalformedMacs(String text) {
        assertThatThrownBy(() -> MacAddress.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("aa:bb:cc:dd:ee:ff");
    }

    @Test
    void shiftHeadMakesRoomForATagAndMovesOffloadOffsets() {
        Frame frame = new Frame(4);
        frame.load(Frames.ethernet(MacAddress.parse("02:00:00:00:00:02"), MacAddress.parse("02:00:00:00:00:01"),
                0x0800, 50));
        frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        VnetHeader.putLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START, 34);
        frame.shiftHead(4);
        assertThat(frame.length()).isEqualTo(68);
        assertThat(VnetHeader.getLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START)).isEqualTo(38);
        assertThat(MacAddress.format(Ethernet.destination(frame.buffer(), frame.frame()))).isEqualTo("02:00:00:00:00:02");
        assertThat(MacAddress.format(Ethernet.source(frame.buffer(), frame.frame()))).isEqualTo("02:00:00:00:00:01");
        frame.shiftHead(-4);
        assertThat(frame.length()).isEqualTo(64);
        assertThat(Ethernet.type(frame.buffer(), frame.frame())).isEqualTo(0x0800);
        assertThat(VnetHeader.getLe16(frame.buffer(), frame.start() + VnetHeader.CSUM_START)).isEqualTo(34);
    }
}
