package io.tapswitch.tests.tunnel;

import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.port.MemoryPort;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.tunnel.ProbeStats;
import io.tapswitch.core.tunnel.TunnelEndpoint;
import io.tapswitch.core.tunnel.TunnelOptions;
import io.tapswitch.core.tunnel.VtepPort;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two tapswitch switches joined by a VXLAN tunnel, on one machine: switch A's endpoint in this
 * namespace, switch B's endpoint opened inside namespace {@value #B_NS} (its sockets live there, see
 * {@link InNamespace}), a veth between them as the underlay. A datapath-level test: both switches
 * are driven directly, as the agent's control plane will drive them once it knows about tunnels.
 *
 * <p>It proves what the kernel vxlan device cannot: QinQ across hosts (customer frames with a C-tag
 * enter a dot1q-tunnel port of S-VLAN 100, travel in VNI 10100 with their C-tag inside, and reach
 * the far customer port C-tagged as sent; the customer ports are in-memory ports on running
 * switches, since this kernel has no VLAN devices to make C-tagged hosts with), and the tunnel
 * health probes: answered small and full
 * size; a path whose MTU is below the underlay MTU answering small probes only ("mtu-bad"); a local
 * interface too small failing the full-size probe at once with EMSGSIZE, since DF is set; and a peer
 * that stopped answering nothing at all ("down").
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelPairIT {
    private static final int PORT = 47892;
    private static final String B_NS = "tsvx-p";
    private static final String UNDERLAY_A = "tsvx-v0";
    private static final String UNDERLAY_B = "tsvx-v1";
    private static final long CUSTOMER_A = MacAddress.parse("02:5a:12:00:00:01");
    private static final long CUSTOMER_B = MacAddress.parse("02:5a:12:00:00:02");
    private static final String VTEP_A = "198.19.212.1";
    private static final String VTEP_B = "198.19.212.4";
    private static final int S_VLAN = 100;
    private static final int C_VLAN = 10;

    private static Switch switchA;
    private static Switch switchB;
    private static TunnelEndpoint endpointA;
    private static TunnelEndpoint endpointB;
    private static VtepPort toB;
    private static VtepPort toA;
    private static Netns nsB;
    private static MemoryPort customerA;
    private static MemoryPort customerB;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        HostCommand.run(List.of("ip", "link", "del", UNDERLAY_A));
        try {
            nsB = Netns.create(B_NS);
            nsB.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            nsB.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
            HostCommand.check("ip", "link", "add", UNDERLAY_A, "type", "veth", "peer", "name", UNDERLAY_B);
            HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + UNDERLAY_A + ".disable_ipv6=1");
            nsB.adopt(UNDERLAY_B);
            HostCommand.check("ip", "addr", "add", VTEP_A + "/24", "dev", UNDERLAY_A);
            HostCommand.check("ip", "link", "set", UNDERLAY_A, "up");
            nsB.configure(UNDERLAY_B, null, VTEP_B + "/24", null);

            switchA = new Switch(SwitchOptions.defaults().withName("tsvx-a"));
            endpointA = TunnelEndpoint.open("tsvx-xa", TunnelOptions.defaults(VTEP_A).withPort(PORT));
            switchA.addPort(endpointA, PortConfig.enabled("tsvx-xa"));
            toB = endpointA.peer("tsvx-pb", TunnelOptions.parse(VTEP_B));
            switchA.addPort(toB, PortConfig.enabled("tsvx-pb"));

            switchB = new Switch(SwitchOptions.defaults().withName("tsvx-b"));
            endpointB = InNamespace.call(B_NS, () -> TunnelEndpoint.open("tsvx-xb", TunnelOptions.defaults(VTEP_B).withPort(PORT)));
            switchB.addPort(endpointB, PortConfig.enabled("tsvx-xb"));
            toA = endpointB.peer("tsvx-pa", TunnelOptions.parse(VTEP_A));
            switchB.addPort(toA, PortConfig.enabled("tsvx-pa"));

            customerA = new MemoryPort("tsvx-ca");
            switchA.addPort(customerA, new PortConfig("tsvx-ca", true, VlanConfig.dot1qTunnel(S_VLAN)));
            customerB = new MemoryPort("tsvx-cb");
            switchB.addPort(customerB, new PortConfig("tsvx-cb", true, VlanConfig.dot1qTunnel(S_VLAN)));
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        try {
            for (Switch sw : new Switch[] {switchA, switchB}) {
                if (sw != null) {
                    sw.close();
                }
            }
        } finally {
            if (nsB != null) {
                nsB.close();
            }
            HostCommand.run(List.of("ip", "link", "del", UNDERLAY_A));
        }
    }

    @Test
    @Order(1)
    void qinqTheSVlanTravelsAsTheVniAndTheCTagArrivesAsSent() throws Exception {
        byte[] request = Frames.tagged(MacAddress.BROADCAST, CUSTOMER_A, 0x8100, 0x2000 | C_VLAN, 0x0806, 46);
        byte[] reply = Frames.tagged(CUSTOMER_A, CUSTOMER_B, 0x8100, C_VLAN, 0x0806, 46);
        List<UnderlayCapture.Packet> packets;
        try (UnderlayCapture capture = UnderlayCapture.start(null, UNDERLAY_A, "udp", "port", Integer.toString(PORT))) {
            customerA.inject(request);
            assertThat(customerB.awaitSent(1, Duration.ofSeconds(5))).as("C-tagged as sent").containsExactly(request);
            customerB.inject(reply);
            assertThat(customerA.awaitSent(1, Duration.ofSeconds(5))).containsExactly(reply);
            packets = capture.stop();
        }
        assertThat(packets).as("%s", packets).hasSize(2);
        assertThat(packets).allSatisfy(p -> {
            assertThat(p.vni()).as("S-VLAN 100 at base 10000").isEqualTo(10000 + S_VLAN);
            assertThat(p.innerType()).as("the C-tag rides inside, the S-tag is gone").isEqualTo(0x8100);
            assertThat(p.innerTci() & 0xfff).isEqualTo(C_VLAN);
            assertThat(p.dontFragment()).isTrue();
        });
        assertThat(switchB.fdb().lookup(S_VLAN, CUSTOMER_A)).as("the remote customer, learned on A's VTEP port in the S-VLAN")
                .isEqualTo(switchB.topology().idOf("tsvx-pa"));
        assertThat(switchA.fdb().lookup(S_VLAN, CUSTOMER_B)).isEqualTo(switchA.topology().idOf("tsvx-pb"));
    }

    @Test
    @Order(2)
    void probesOfBothSizesAreAnsweredOnAHealthyPath() {
        ProbeStats before = toB.probes();
        long answeredByB = endpointB.probesAnswered();
        assertThat(endpointA.probe(toB, false, 1)).isTrue();
        assertThat(endpointA.probe(toB, true, 2)).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            ProbeStats s = toB.probes();
            assertThat(s.answered()).isEqualTo(before.answered() + 1);
            assertThat(s.fullAnswered()).isEqualTo(before.fullAnswered() + 1);
        });
        ProbeStats s = toB.probes();
        assertThat(s.sent()).isEqualTo(before.sent() + 1);
        assertThat(s.fullSent()).isEqualTo(before.fullSent() + 1);
        assertThat(s.lastReplyNanos()).isPositive().isLessThanOrEqualTo(System.nanoTime());
        assertThat(s.lastFullReplyNanos()).isPositive();
        assertThat(s.lastRttNanos()).isPositive().isLessThan(Duration.ofSeconds(1).toNanos());
        assertThat(endpointB.probesAnswered() - answeredByB).isEqualTo(2);

        assertThat(endpointB.probe(toA, true, 3)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> toA.probes().fullAnswered() == 1);
        assertThat(switchA.topology().port(switchA.topology().idOf("tsvx-xa")).stats().rxPackets())
                .as("probes never reach the switch as frames").isZero();
    }

    @Test
    @Order(3)
    void aFullSizeProbeIsExactlyTheUnderlayMtuWithDf() throws Exception {
        List<UnderlayCapture.Packet> packets;
        try (UnderlayCapture capture = UnderlayCapture.start(null, UNDERLAY_A, "udp", "port", Integer.toString(PORT))) {
            endpointA.probe(toB, true, 4);
            await().atMost(Duration.ofSeconds(5)).until(() -> toB.probes().fullAnswered() >= 2);
            packets = capture.stop();
        }
        assertThat(packets).anySatisfy(p -> {
            assertThat(p.vni()).isEqualTo(0xffffff);
            assertThat(p.ipLength()).isEqualTo(1500);
            assertThat(p.dontFragment()).isTrue();
            assertThat(p.source()).isEqualTo(VTEP_A);
        });
    }

    @Test
    @Order(4)
    void aPathBelowTheUnderlayMtuAnswersOnlySmallProbes() {
        nsB.exec("ip", "link", "set", UNDERLAY_B, "mtu", "1400");
        try {
            ProbeStats before = toB.probes();
            endpointA.probe(toB, false, 5);
            endpointA.probe(toB, true, 6);
            await().atMost(Duration.ofSeconds(5)).until(() -> toB.probes().answered() == before.answered() + 1);
            // The full-size request is lost on the way: give it the time a reply would have taken.
            await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(toB.probes().fullAnswered()).as("mtu-bad: small answered, full not").isEqualTo(before.fullAnswered());
            assertThat(toB.probes().fullSent()).isEqualTo(before.fullSent() + 1);
        } finally {
            nsB.exec("ip", "link", "set", UNDERLAY_B, "mtu", "1500");
        }
    }

    @Test
    @Order(5)
    void aLocalInterfaceBelowTheUnderlayMtuFailsTheFullProbeAtOnceBecauseOfDf() {
        HostCommand.check("ip", "link", "set", UNDERLAY_A, "mtu", "1400");
        try {
            ProbeStats before = toB.probes();
            assertThat(endpointA.probe(toB, true, 7)).isFalse();
            ProbeStats after = toB.probes();
            assertThat(after.sendErrors()).isEqualTo(before.sendErrors() + 1);
            assertThat(after.lastSendErrno()).isEqualTo(Errno.EMSGSIZE);
            assertThat(endpointA.probe(toB, false, 8)).as("small ones still go").isTrue();
        } finally {
            HostCommand.check("ip", "link", "set", UNDERLAY_A, "mtu", "1500");
        }
    }

    @Test
    @Order(6)
    void aPeerThatIsGoneAnswersNothing() {
        switchB.close();
        ProbeStats before = toB.probes();
        endpointA.probe(toB, false, 9);
        endpointA.probe(toB, true, 10);
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        ProbeStats after = toB.probes();
        assertThat(after.sent()).isEqualTo(before.sent() + 1);
        assertThat(after.answered()).as("down").isEqualTo(before.answered());
        assertThat(after.fullAnswered()).isEqualTo(before.fullAnswered());
    }

    @Test
    @Order(7)
    void closingLeavesNoNamespaceLinkOrThreadBehind() {
        List<Thread> threads = switchA.threads();
        assertThat(threads).as("switch A's event loops").isNotEmpty().allMatch(Thread::isAlive);
        stop();
        switchA = null;
        switchB = null;
        nsB = null;
        assertThat(threads).noneMatch(Thread::isAlive);
        assertThat(Netns.exists(B_NS)).isFalse();
        assertThat(HostCommand.run(List.of("ip", "link", "show", UNDERLAY_A)).succeeded()).isFalse();
        assertThat(customerA.isClosed()).isTrue();
    }
}
