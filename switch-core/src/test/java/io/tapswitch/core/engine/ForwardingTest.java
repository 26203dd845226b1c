package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.port.MemoryPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;

class ForwardingTest {
    private static final long H1 = mac("02:00:00:00:00:01");
    private static final long H2 = mac("02:00:00:00:00:02");
    private static final long H3 = mac("02:00:00:00:00:03");
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");

    private Switch sw;
    private MemoryPort p1;
    private MemoryPort p2;
    private MemoryPort p3;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    @BeforeEach
    void setUp() {
        sw = new Switch(SwitchOptions.defaults());
        p1 = new MemoryPort("p1");
        p2 = new MemoryPort("p2");
        p3 = new MemoryPort("p3");
        sw.addPassivePort(p1, PortConfig.enabled("p1"));
        sw.addPassivePort(p2, PortConfig.enabled("p2"));
        sw.addPassivePort(p3, PortConfig.enabled("p3"));
    }

    @AfterEach
    void tearDown() {
        sw.close();
    }

    private Reason send(MemoryPort from, byte[] bytes) {
        frame.load(bytes);
        frame.inPort = sw.topology().idOf(from.name());
        return sw.process(frame);
    }

    private SwitchPort port(MemoryPort p) {
        return sw.topology().port(sw.topology().idOf(p.name()));
    }

    @Test
    void floodsUnknownUnicastToAllOtherPortsAndLearnsTheSource() {
        byte[] f = Frames.ethernet(H2, H1, 0x0800, 46);
        assertThat(send(p1, f)).isEqualTo(Reason.FLOOD_UNKNOWN_UNICAST);
        assertThat(p1.sent()).isEmpty();
        assertThat(p2.sent()).containsExactly(f);
        assertThat(p3.sent()).containsExactly(f);
        assertThat(sw.fdb().lookup(0, H1)).isEqualTo(port(p1).id());
    }

    @Test
    void forwardsKnownUnicastToExactlyOnePort() {
        send(p2, Frames.ethernet(BCAST, H2, 0x0806, 28));
        p1.clearSent();
        p3.clearSent();
        byte[] f = Frames.ethernet(H2, H1, 0x0800, 46);
        assertThat(send(p1, f)).isEqualTo(Reason.FORWARD_UNICAST);
        assertThat(p2.sent()).last().isEqualTo(f);
        assertThat(p3.sent()).isEmpty();
        assertThat(port(p1).stats().decisions(Reason.FORWARD_UNICAST)).isEqualTo(1);
        assertThat(port(p2).stats().txPackets()).isEqualTo(1);
        assertThat(port(p2).stats().txBytes()).isEqualTo(60);
        assertThat(port(p1).stats().rxBytes()).isEqualTo(60);
    }

    @Test
    void floodsBroadcastAndMulticastButNeverBackToTheIngressPort() {
        assertThat(send(p1, Frames.ethernet(BCAST, H1, 0x0806, 28))).isEqualTo(Reason.FLOOD_BROADCAST);
        assertThat(send(p1, Frames.ethernet(mac("01:00:5e:00:00:01"), H1, 0x0800, 28))).isEqualTo(Reason.FLOOD_MULTICAST);
        assertThat(p1.sent()).isEmpty();
        assertThat(p2.sent()).hasSize(2);
        assertThat(p3.sent()).hasSize(2);
    }

    @Test
    void dropsHairpinWhenTheDestinationLivesOnTheIngressPort() {
        send(p1, Frames.ethernet(BCAST, H3, 0x0806, 28));
        p2.clearSent();
        p3.clearSent();
        assertThat(send(p1, Frames.ethernet(H3, H1, 0x0800, 46))).isEqualTo(Reason.DROP_HAIRPIN);
        assertThat(p1.sent()).isEmpty();
        assertThat(p2.sent()).isEmpty();
        assertThat(p3.sent()).isEmpty();
        assertThat(port(p1).stats().decisions(Reason.DROP_HAIRPIN)).isEqualTo(1);
        assertThat(port(p1).stats().drops()).isEqualTo(1);
    }

    @Test
    void neverForwardsBridgeReservedAddresses() {
        for (int last = 0; last <= 0xf; last++) {
            assertThat(send(p1, Frames.ethernet(mac("01:80:c2:00:00:00") | last, H1, 0x88cc, 46)))
                    .isEqualTo(Reason.DROP_RESERVED_MULTICAST);
        }
        assertThat(p2.sent()).isEmpty();
        assertThat(port(p1).stats().decisions(Reason.DROP_RESERVED_MULTICAST)).isEqualTo(16);
    }

    @Test
    void dropsAndNeverLearnsBadSources() {
        assertThat(send(p1, Frames.ethernet(H2, BCAST, 0x0800, 46))).isEqualTo(Reason.DROP_BAD_SOURCE);
        assertThat(send(p1, Frames.ethernet(H2, mac("01:00:5e:00:00:01"), 0x0800, 46))).isEqualTo(Reason.DROP_BAD_SOURCE);
        assertThat(send(p1, Frames.ethernet(H2, 0, 0x0800, 46))).isEqualTo(Reason.DROP_BAD_SOURCE);
        assertThat(sw.fdb().size()).isZero();
        assertThat(p2.sent()).isEmpty();
    }

    @Test
    void countsTruncatedFramesAsDrops() {
        assertThat(send(p1, new byte[13])).isEqualTo(Reason.DROP_TRUNCATED);
        assertThat(send(p1, new byte[0])).isEqualTo(Reason.DROP_TRUNCATED);
        assertThat(port(p1).stats().decisions(Reason.DROP_TRUNCATED)).isEqualTo(2);
        assertThat(p2.sent()).isEmpty();
    }

    @Test
    void adminDownPortNeitherReceivesNorSends() {
        sw.configurePort("p3", c -> c.withAdminUp(false));
        assertThat(send(p1, Frames.ethernet(BCAST, H1, 0x0806, 28))).isEqualTo(Reason.FLOOD_BROADCAST);
        assertThat(p3.sent()).isEmpty();
        assertThat(send(p3, Frames.ethernet(BCAST, H3, 0x0806, 28))).isEqualTo(Reason.DROP_PORT_DISABLED);
        assertThat(sw.fdb().lookup(0, H3)).isEqualTo(-1);
    }

    @Test
    void learnsMovesWhenAStationAppearsOnAnotherPort() {
        send(p1, Frames.ethernet(BCAST, H1, 0x0806, 28));
        send(p3, Frames.ethernet(BCAST, H1, 0x0806, 28));
        assertThat(sw.fdb().lookup(0, H1)).isEqualTo(port(p3).id());
        assertThat(sw.fdb().counters().moved()).isEqualTo(1);
    }

    @Test
    void removingAPortForgetsItsStations() {
        send(p2, Frames.ethernet(BCAST, H2, 0x0806, 28));
        assertThat(sw.removePort("p2")).isTrue();
        assertThat(p2.isClosed()).isTrue();
        assertThat(sw.fdb().lookup(0, H2)).isEqualTo(-1);
        assertThat(send(p1, Frames.ethernet(H2, H1, 0x0800, 46))).isEqualTo(Reason.FLOOD_UNKNOWN_UNICAST);
        assertThat(p3.sent()).hasSize(2);
    }

    @Test
    void offloadedFramesAreNotSentToPortsWithoutOffloads() {
        MemoryPort plain = new MemoryPort("plain", false);
        sw.addPassivePort(plain, PortConfig.enabled("plain"));
        frame.load(Frames.ethernet(BCAST, H1, 0x0800, 1000));
        frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        frame.inPort = port(p1).id();
        sw.process(frame);
        assertThat(plain.sent()).isEmpty();
        assertThat(port(plain).stats().txErrors()).isEqualTo(1);
        assertThat(p2.sent()).hasSize(1);
    }

    @Test
    void anOffloadedFrameRefusedByAPortWithoutOffloadsIsCountedThereWithItsReason() {
        MemoryPort plain = new MemoryPort("plain", false);
        sw.addPassivePort(plain, PortConfig.enabled("plain"));
        assertThat(port(plain).stats().txDrops(Reason.DROP_OFFLOAD_UNSUPPORTED)).isZero();
        for (int i = 0; i < 2; i++) {
            frame.load(Frames.ethernet(BCAST, H1, 0x0800, 1000));
            frame.buffer().put(frame.start() + VnetHeader.GSO_TYPE, (byte) VnetHeader.GSO_TCPV4);
            frame.inPort = port(p1).id();
            sw.process(frame);
        }
        assertThat(port(plain).stats().txDrops(Reason.DROP_OFFLOAD_UNSUPPORTED)).isEqualTo(2);
        assertThat(port(plain).stats().txErrors()).isEqualTo(2);
        assertThat(port(p2).stats().txDrops(Reason.DROP_OFFLOAD_UNSUPPORTED)).as("p2 has offloads").isZero();
        assertThat(port(p2).stats().txPackets()).isEqualTo(2);
        // Found when sending, so it is no decision of the ingress port: the floods were.
        assertThat(port(p1).stats().decisions(Reason.DROP_OFFLOAD_UNSUPPORTED)).isZero();
        assertThat(port(p1).stats().decisions(Reason.FLOOD_BROADCAST)).isEqualTo(2);
        assertThat(port(p1).stats().drops()).isZero();

        send(p1, Frames.ethernet(BCAST, H1, 0x0800, 1000));
        assertThat(plain.sent()).hasSize(1);
        assertThat(port(plain).stats().txDrops(Reason.DROP_OFFLOAD_UNSUPPORTED)).as("a plain frame passes").isEqualTo(2);
    }

    @Test
    void traceExplainsTheDecisionWithoutLearningOrSending() {
        send(p2, Frames.ethernet(BCAST, H2, 0x0806, 28));
        p1.clearSent();
        p3.clearSent();
        frame.load(Frames.ethernet(H2, H1, 0x0800, 46));
        frame.inPort = port(p1).id();
        TraceResult trace = sw.trace(frame);
        assertThat(trace.steps()).anyMatch(s -> s.contains("would learn 02:00:00:00:00:01"));
        assertThat(trace.steps()).last().asString().contains("FORWARD_UNICAST");
        assertThat(trace.verdict()).isEqualTo(Reason.FORWARD_UNICAST);
        assertThat(trace.isDrop()).isFalse();
        assertThat(trace.egress()).containsExactly("p2");
        assertThat(trace.vlan()).isZero();
        assertThat(sw.fdb().lookup(0, H1)).isEqualTo(-1);
        assertThat(p2.sent()).isEmpty();
    }

    @Test
    void traceNamesEveryPortOfAFloodAndTheReasonOfADrop() {
        frame.load(Frames.ethernet(BCAST, H1, 0x0806, 28));
        frame.inPort = port(p1).id();
        TraceResult flood = sw.trace(frame);
        assertThat(flood.verdict()).isEqualTo(Reason.FLOOD_BROADCAST);
        assertThat(flood.egress()).containsExactlyInAnyOrder("p2", "p3");

        frame.load(Frames.ethernet(H2, BCAST, 0x0800, 46));
        frame.inPort = port(p1).id();
        TraceResult drop = sw.trace(frame);
        assertThat(drop.verdict()).isEqualTo(Reason.DROP_BAD_SOURCE);
        assertThat(drop.isDrop()).isTrue();
        assertThat(drop.egress()).isEmpty();
        assertThat(drop.steps()).last().asString().startsWith("drop: DROP_BAD_SOURCE");
        assertThat(port(p1).stats().rxPackets()).as("a trace is not traffic").isZero();
    }
}
