package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.offload.Packet;
import io.tapswitch.core.port.MemoryPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offloaded frames towards ports that take only plain frames: segmented or completed in software
 * on the way, not dropped; only what cannot be segmented is dropped as DROP_OFFLOAD_UNSUPPORTED.
 */
class SoftwareOffloadTest {
    private Switch sw;
    private MemoryPort offloading;
    private MemoryPort plain;
    private MemoryPort source;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    @BeforeEach
    void setUp() {
        sw = new Switch(SwitchOptions.defaults());
        source = new MemoryPort("src");
        offloading = new MemoryPort("vnet");
        plain = new MemoryPort("plain", false);
        for (MemoryPort p : List.of(source, offloading, plain)) {
            sw.addPassivePort(p, PortConfig.enabled(p.name()));
        }
    }

    @AfterEach
    void tearDown() {
        sw.close();
    }

    private SwitchPort port(MemoryPort p) {
        return sw.topology().port(sw.topology().idOf(p.name()));
    }

    private Reason send(Packet p) {
        p.load(frame);
        frame.inPort = port(source).id();
        return sw.process(frame);
    }

    @Test
    void aGsoFrameReachesAPortWithoutOffloadsAsItsSegments() {
        Packet p = Packet.tcp4().payload(8000).flags(Packet.ACK | Packet.PSH).gso(VnetHeader.GSO_TCPV4, 1448);
        assertThat(send(p)).isEqualTo(Reason.FLOOD_UNKNOWN_UNICAST);

        List<byte[]> segments = plain.sent();
        assertThat(segments).hasSize(6);
        List<byte[]> payloads = new ArrayList<>();
        for (byte[] s : segments) {
            assertThat(s.length).isLessThanOrEqualTo(1514);
            assertThat(Packet.fold(Packet.sum(s, 14, 20, 0))).isEqualTo(0xffff);
            assertThat(Packet.fold(Packet.sum(s, 34, s.length - 34, Packet.pseudo(s, 14, false, 6, s.length - 34)))).isEqualTo(0xffff);
            payloads.add(Arrays.copyOfRange(s, 54, s.length));
        }
        assertThat(Packet.concat(payloads)).isEqualTo(p.payloadBytes());
        assertThat(offloading.sent()).as("a port with offloads gets the super-frame").hasSize(1);
        assertThat(offloading.sent().get(0)).hasSize(54 + 8000);
        assertThat(port(plain).stats().txPackets()).isEqualTo(1);
        assertThat(port(plain).stats().txDrops(Reason.DROP_OFFLOAD_UNSUPPORTED)).isZero();
    }

    @Test
    void aPartialChecksumIsCompletedForAPortWithoutOffloads() {
        Packet p = Packet.udp6().tag(0x8100, 5).payload(99).needsChecksum();
        send(p);
        assertThat(plain.sent()).hasSize(1);
        byte[] got = plain.sent().get(0);
        assertThat(got).isEqualTo(Packet.udp6().tag(0x8100, 5).payload(p.payloadBytes()).build());
    }

    @Test
    void whatCannotBeSegmentedIsStillDroppedWithTheOffloadReason() {
        send(Packet.udp4().payload(3000).gso(VnetHeader.GSO_UDP, 1000));
        assertThat(plain.sent()).isEmpty();
        assertThat(port(plain).stats().txDrops(Reason.DROP_OFFLOAD_UNSUPPORTED)).isEqualTo(1);
        assertThat(offloading.sent()).hasSize(1);
    }
}
