package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.TunnelSource;
import io.tapswitch.core.port.MemoryPort;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.Refusal;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's side of the tunnel, with in-memory stand-ins for the endpoint and two remote VTEPs:
 * frames a tunnel reads are attributed to the port of the VTEP that sent them, unknown senders and
 * refused datagrams are counted against the endpoint, floods reach each VTEP once, and split horizon
 * keeps frames from one VTEP away from the others.
 */
class TunnelForwardingTest {
    private static final long H1 = mac("02:00:00:00:00:01");
    private static final long REMOTE_A = mac("02:00:00:00:0a:01");
    private static final long REMOTE_B = mac("02:00:00:00:0b:01");
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");
    private static final int ADDRESS_A = 0xc6130102;
    private static final int ADDRESS_B = 0xc6130103;

    private Switch sw;
    private MemoryPort tunnel;
    private MemoryPort vtepA;
    private MemoryPort vtepB;
    private MemoryPort p1;
    private MemoryPort p2;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    @BeforeEach
    void setUp() {
        sw = new Switch(SwitchOptions.defaults());
        p1 = add(new MemoryPort("p1"));
        tunnel = add(MemoryPort.tunnelEndpoint("vx0"));
        vtepA = add(MemoryPort.vtep("vtep-a", ADDRESS_A));
        vtepB = add(MemoryPort.vtep("vtep-b", ADDRESS_B));
        p2 = add(new MemoryPort("p2"));
    }

    private MemoryPort add(MemoryPort p) {
        sw.addPassivePort(p, PortConfig.enabled(p.name()));
        return p;
    }

    @AfterEach
    void tearDown() {
        sw.close();
    }

    private SwitchPort port(Port p) {
        return sw.topology().port(sw.topology().idOf(p.name()));
    }

    /** A frame as the endpoint hands it over: read on the endpoint's port, from {@code address}. */
    private Reason fromTunnel(int address, byte[] bytes) {
        frame.load(bytes);
        frame.inPort = port(tunnel).id();
        frame.tunnelSource = TunnelSource.of(address, 50000);
        return sw.process(frame);
    }

    private Reason fromLocal(MemoryPort p, byte[] bytes) {
        frame.load(bytes);
        frame.inPort = port(p).id();
        return sw.process(frame);
    }

    @Test
    void aTunnelFrameIsAttributedToItsVtepsPortAndItsSourceLearnedThere() {
        byte[] f = Frames.ethernet(BCAST, REMOTE_A, 0x0806, 46);
        assertThat(fromTunnel(ADDRESS_A, f)).isEqualTo(Reason.FLOOD_BROADCAST);

        assertThat(sw.fdb().lookup(0, REMOTE_A)).isEqualTo(port(vtepA).id());
        assertThat(port(vtepA).stats().rxPackets()).isEqualTo(1);
        assertThat(port(vtepA).stats().decisions(Reason.FLOOD_BROADCAST)).isEqualTo(1);
        assertThat(port(tunnel).stats().rxPackets()).as("counted on the VTEP's port, not the endpoint's").isZero();
        assertThat(p1.sent()).containsExactly(f);
        assertThat(p2.sent()).containsExactly(f);
    }

    @Test
    void splitHorizonAFloodFromOneVtepNeverReachesAnotherVtepOrTheEndpoint() {
        fromTunnel(ADDRESS_A, Frames.ethernet(BCAST, REMOTE_A, 0x0806, 46));
        fromTunnel(ADDRESS_A, Frames.ethernet(mac("02:99:99:99:99:99"), REMOTE_A, 0x0800, 46));

        assertThat(vtepB.sent()).isEmpty();
        assertThat(vtepA.sent()).isEmpty();
        assertThat(tunnel.sent()).isEmpty();
        assertThat(p1.sent()).hasSize(2);
    }

    @Test
    void splitHorizonAUnicastFromOneVtepToAMacBehindAnotherIsDroppedWithItsReason() {
        fromTunnel(ADDRESS_B, Frames.ethernet(BCAST, REMOTE_B, 0x0806, 46));
        p1.clearSent();
        p2.clearSent();

        assertThat(fromTunnel(ADDRESS_A, Frames.ethernet(REMOTE_B, REMOTE_A, 0x0800, 46))).isEqualTo(Reason.DROP_SPLIT_HORIZON);

        assertThat(vtepB.sent()).isEmpty();
        assertThat(port(vtepA).stats().decisions(Reason.DROP_SPLIT_HORIZON)).isEqualTo(1);
        assertThat(p1.sent()).isEmpty();
    }

    @Test
    void aLocalFloodGoesToEachVtepOnceAndNeverToTheEndpoint() {
        byte[] f = Frames.ethernet(BCAST, H1, 0x0806, 46);
        assertThat(fromLocal(p1, f)).isEqualTo(Reason.FLOOD_BROADCAST);

        assertThat(vtepA.sent()).containsExactly(f);
        assertThat(vtepB.sent()).containsExactly(f);
        assertThat(p2.sent()).containsExactly(f);
        assertThat(tunnel.sent()).isEmpty();
    }

    @Test
    void aLocalFrameToARemoteMacGoesToThatVtepOnly() {
        fromTunnel(ADDRESS_B, Frames.ethernet(BCAST, REMOTE_B, 0x0806, 46));
        byte[] f = Frames.ethernet(REMOTE_B, H1, 0x0800, 46);
        assertThat(fromLocal(p1, f)).isEqualTo(Reason.FORWARD_UNICAST);
        assertThat(vtepB.sent()).containsExactly(f);
        assertThat(vtepA.sent()).isEmpty();
    }

    @Test
    void aFloodIntoAVlanReachesOnlyTheVtepsThatCarryIt() {
        sw.configurePort("vtep-a", c -> c.withVlan(VlanConfig.trunk(VlanSet.of(10))));
        sw.configurePort("vtep-b", c -> c.withVlan(VlanConfig.trunk(VlanSet.of(20))));
        sw.configurePort("p1", c -> c.withVlan(VlanConfig.access(10)));
        fromLocal(p1, Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(vtepA.sent()).hasSize(1);
        assertThat(vtepA.sent().get(0)).as("tagged for the VTEP, whose tag chooses the VNI")
                .isEqualTo(Frames.tagged(BCAST, H1, 0x8100, 10, 0x0806, 46));
        assertThat(vtepB.sent()).isEmpty();
    }

    @Test
    void aFrameFromAnAddressWithoutAVtepPortIsCountedOnTheEndpoint() {
        assertThat(fromTunnel(0xc6130199, Frames.ethernet(BCAST, REMOTE_A, 0x0806, 46))).isEqualTo(Reason.DROP_UNKNOWN_VTEP);

        assertThat(port(tunnel).stats().decisions(Reason.DROP_UNKNOWN_VTEP)).isEqualTo(1);
        assertThat(port(tunnel).stats().rxPackets()).isEqualTo(1);
        assertThat(sw.fdb().lookup(0, REMOTE_A)).isEqualTo(-1);
        assertThat(p1.sent()).isEmpty();
    }

    @Test
    void datagramsTheEndpointRefusedAreCountedOnItWithTheirReason() {
        frame.load(Frames.ethernet(BCAST, REMOTE_A, 0x0806, 46));
        frame.inPort = port(tunnel).id();
        frame.tunnelSource = TunnelSource.of(ADDRESS_A, 50000);
        frame.refusal = Refusal.UNKNOWN_VNI.code();
        assertThat(sw.process(frame)).isEqualTo(Reason.DROP_UNKNOWN_VNI);

        frame.load(new byte[20]);
        frame.inPort = port(tunnel).id();
        frame.refusal = Refusal.MALFORMED_VXLAN.code();
        assertThat(sw.process(frame)).isEqualTo(Reason.DROP_MALFORMED_VXLAN);

        assertThat(port(tunnel).stats().decisions(Reason.DROP_UNKNOWN_VNI)).isEqualTo(1);
        assertThat(port(tunnel).stats().decisions(Reason.DROP_MALFORMED_VXLAN)).isEqualTo(1);
        assertThat(port(vtepA).stats().rxPackets()).isZero();
        assertThat(sw.fdb().size()).isZero();
        assertThat(p1.sent()).isEmpty();
    }

    @Test
    void theEndpointIsNeverLearnedOnEvenForAFrameNotAttributedToAVtep() {
        assertThat(fromLocal(tunnel, Frames.ethernet(BCAST, REMOTE_A, 0x0806, 46))).isEqualTo(Reason.DROP_UNKNOWN_VTEP);
        assertThat(sw.fdb().size()).isZero();
        assertThat(p1.sent()).isEmpty();
    }

    @Test
    void aRemovedVtepNoLongerAttractsItsFramesAndItsMacsAreFlushed() {
        fromTunnel(ADDRESS_A, Frames.ethernet(BCAST, REMOTE_A, 0x0806, 46));
        assertThat(sw.fdb().lookup(0, REMOTE_A)).isNotNegative();
        sw.removePort("vtep-a");
        assertThat(sw.fdb().lookup(0, REMOTE_A)).isEqualTo(-1);
        assertThat(fromTunnel(ADDRESS_A, Frames.ethernet(BCAST, REMOTE_A, 0x0806, 46))).isEqualTo(Reason.DROP_UNKNOWN_VTEP);
    }

    @Test
    void aPortsRefusalToSendIsATxDropWithItsReason() {
        MemoryPort refusing = MemoryPort.vtep("vtep-c", 0);
        refusing.refuseSends(Refusal.TOO_BIG_FOR_UNDERLAY.code());
        sw.addPassivePort(refusing, PortConfig.enabled("vtep-c"));
        fromLocal(p1, Frames.ethernet(BCAST, H1, 0x0806, 46));
        refusing.refuseSends(Refusal.VLAN_NOT_MAPPED.code());
        fromLocal(p1, Frames.ethernet(BCAST, H1, 0x0806, 46));

        assertThat(port(refusing).stats().txDrops(Reason.DROP_TOO_BIG_FOR_UNDERLAY)).isEqualTo(1);
        assertThat(port(refusing).stats().txDrops(Reason.DROP_VLAN_NOT_MAPPED)).isEqualTo(1);
        assertThat(port(refusing).stats().txErrors()).isEqualTo(2);
        assertThat(port(refusing).stats().txPackets()).isZero();
        assertThat(port(p1).stats().drops()).as("found when sending: no decision of the ingress port").isZero();
    }

    @Test
    void topologyFindsVtepPortsByAddress() {
        Topology t = sw.topology();
        assertThat(t.vtepPort(ADDRESS_A)).isEqualTo(port(vtepA).id());
        assertThat(t.vtepPort(ADDRESS_B)).isEqualTo(port(vtepB).id());
        assertThat(t.vtepPort(0x0a000001)).isEqualTo(-1);
        assertThat(t.vtepPort(0)).isEqualTo(-1);
        assertThat(t.isVtep(port(vtepA).id())).isTrue();
        assertThat(t.isVtep(port(p1).id())).isFalse();
        assertThat(t.isTunnelEndpoint(port(tunnel).id())).isTrue();
    }
}
