package io.tapswitch.agent.fabric;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.MemoryDevices;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.TunnelControl;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fabric's policy, on a real agent with in-memory ports and a scripted tunnel: peers' adverts
 * make tunnel ports with the peers' VLANs; a peer is taken out (port removed) only when the cluster
 * lost it and its tunnel is silent; a partition of the control plane alone keeps forwarding.
 * Adverts are published on the agent's own event bus as a peer's would arrive over the cluster.
 */
class FabricTest {
    @TempDir
    Path dir;

    private Agent agent;
    private Fabric fabric;
    private final ScriptedTunnel tunnel = new ScriptedTunnel();
    private long seq;

    /** A tunnel whose probe answers the test decides: a port answers while it is in {@link #answering}. */
    static final class ScriptedTunnel implements TunnelControl {
        final Map<String, Boolean> answering = new ConcurrentHashMap<>();
        final Map<String, Integer> probes = new ConcurrentHashMap<>();
        private final Map<String, Long> lastReply = new ConcurrentHashMap<>();

        @Override
        public void probe(String port, boolean fullSize, int seq) {
            probes.merge(port, 1, Integer::sum);
            if (answering.getOrDefault(port, false)) {
                lastReply.put(port, System.nanoTime());
            }
        }

        @Override
        public ProbeTimes probeTimes(String port) {
            long t = lastReply.getOrDefault(port, 0L);
            return new ProbeTimes(t, t, 1000);
        }
    }

    @BeforeEach
    void start() throws Exception {
        AgentConfig config = new ConfigLoader().parse("test", """
                name: fab-test
                http: {port: 0}
                vxlan: {address: 198.19.77.1}
                ports:
                  - {name: a10, vlan: {mode: access, tag: 10}}
                  - {name: a20, vlan: {mode: access, tag: 20}}
                """);
        agent = Agent.start(config, new AgentOptions().setDeviceOpener(new MemoryDevices()).setStateDirectory(dir));
        ControlPlane control = agent.controlPlane();
        fabric = new Fabric(agent.vertx(), control, tunnel, "a", "198.19.77.1:4789", () -> agent.apiUrl(), () -> "node-a",
                () -> List.of("node-a"));
        fabric.start().await(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        fabric.close();
        agent.close();
    }

    private void advertise(String host, String node, String vtep, boolean all, String vlans) {
        agent.vertx().eventBus().publish(Fabric.ADVERTS, new HostAdvert(host, node, vtep, "http://" + host, all, vlans,
                1000, ++seq).toJson());
    }

    private PortSpec port(String name) {
        return agent.controlPlane().config().port(name);
    }

    private Fabric.PeerView peer(String host) throws Exception {
        return fabric.peers().toCompletionStage().toCompletableFuture().get().stream()
                .filter(p -> p.hostId().equals(host)).findFirst().orElseThrow();
    }

    /** Replaces the fabric by one whose cluster has these members. */
    private void restartWithClusterNodes(String... nodes) throws Exception {
        fabric.close();
        fabric = new Fabric(agent.vertx(), agent.controlPlane(), tunnel, "a", "198.19.77.1:4789", () -> agent.apiUrl(),
                () -> "node-a", () -> List.of(nodes));
        fabric.start().await(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void aClusterMemberThatStaysUnheardMakesItSubscribeToAdvertsAgain() throws Exception {
        restartWithClusterNodes("node-a", "node-z");
        await().atMost(Duration.ofSeconds(10)).until(() -> fabric.advertResubscriptions() >= 1);
        // the new subscription hears adverts
        advertise("b", "node-b", "198.19.77.2:4789", false, "10");
        await().atMost(Duration.ofSeconds(5)).until(() -> port("vtep-b") != null);
        assertThat(peer("b").state()).isEqualTo("up");
    }

    @Test
    void membersThatAreHeardLeaveTheSubscriptionAlone() throws Exception {
        restartWithClusterNodes("node-a", "node-b");
        long timer = agent.vertx().setPeriodic(500, id -> advertise("b", "node-b", "198.19.77.2:4789", false, "10"));
        try {
            long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (System.nanoTime() < until) {
                assertThat(fabric.advertResubscriptions()).isZero();
                Thread.sleep(200);
            }
            assertThat(peer("b").state()).as("the control: b's adverts were heard").isEqualTo("up");
        } finally {
            agent.vertx().cancelTimer(timer);
        }
    }

    @Test
    void advertisesTheVlansOfItsOwnPortsOnly() {
        JsonObject[] heard = new JsonObject[1];
        agent.vertx().eventBus().<JsonObject>consumer(Fabric.ADVERTS, m -> heard[0] = m.body());
        await().atMost(Duration.ofSeconds(5)).until(() -> heard[0] != null && "a".equals(heard[0].getString("hostId")));
        HostAdvert own = HostAdvert.of(heard[0]);
        assertThat(own.vlans()).isEqualTo("10,20");
        assertThat(own.allVlans()).isFalse();
        assertThat(own.vtep()).isEqualTo("198.19.77.1:4789");
        assertThat(own.nodeId()).isEqualTo("node-a");
    }

    @Test
    void aPeersAdvertMakesATunnelPortCarryingItsVlans() throws Exception {
        advertise("b", "node-b", "198.19.77.2:4789", false, "10,30");
        await().atMost(Duration.ofSeconds(5)).until(() -> port("vtep-b") != null);
        PortSpec b = port("vtep-b");
        assertThat(b.kind()).isEqualTo(PortSpec.PortKindSpec.VTEP);
        assertThat(b.remote()).isEqualTo("198.19.77.2:4789");
        assertThat(b.vlan().toVlanConfig()).isEqualTo(VlanConfig.trunk(VlanSet.parse("10,30")));
        assertThat(agent.controlPlane().ownerOf("vtep-b")).isEqualTo("fabric b");
        assertThat(agent.controlPlane().config().ports()).extracting(PortSpec::name).contains("vxlan0");

        // the peer changes its VLANs: the port follows
        advertise("b", "node-b", "198.19.77.2:4789", true, "");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(port("vtep-b").vlan().toVlanConfig()).isEqualTo(VlanConfig.DEFAULT));
        assertThat(peer("b").state()).isEqualTo("up");
    }

    @Test
    void aPeerTheClusterLostWhoseTunnelAnswersKeepsItsPort() throws Exception {
        tunnel.answering.put("vtep-b", true);
        advertise("b", "node-b", "198.19.77.2:4789", false, "10");
        await().atMost(Duration.ofSeconds(5)).until(() -> port("vtep-b") != null);
        await().atMost(Duration.ofSeconds(10)).until(() -> peer("b").tunnel().equals("up"));

        fabric.memberLeft("node-b");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer("b").state().equals("partitioned"));
        assertThat(peer("b").member()).isFalse();
        assertThat(port("vtep-b")).as("forwarding goes on through a control-plane partition").isNotNull();

        // the partition heals: adverts come again
        advertise("b", "node-b", "198.19.77.2:4789", false, "10");
        await().atMost(Duration.ofSeconds(5)).until(() -> peer("b").state().equals("up") && peer("b").member());
    }

    @Test
    void aPeerGoneFromTheClusterAndSilentOnTheTunnelIsTakenOut() throws Exception {
        tunnel.answering.put("vtep-b", true);
        advertise("b", "node-b", "198.19.77.2:4789", false, "10");
        await().atMost(Duration.ofSeconds(10)).until(() -> port("vtep-b") != null && peer("b").tunnel().equals("up"));

        long began = System.nanoTime();
        tunnel.answering.put("vtep-b", false);
        fabric.memberLeft("node-b");
        await().atMost(Duration.ofSeconds(10)).until(() -> port("vtep-b") == null);
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(peer("b").state()).isEqualTo("down");
        assertThat(millis).as("ms until the port went").isLessThan(10_000);

        // it comes back: a new incarnation's advert
        agent.vertx().eventBus().publish(Fabric.ADVERTS, new HostAdvert("b", "node-b2", "198.19.77.2:4789", "http://b",
                false, "10", 2000, 1).toJson());
        await().atMost(Duration.ofSeconds(5)).until(() -> port("vtep-b") != null);
        assertThat(peer("b").state()).isEqualTo("up");
    }

    @Test
    void aPeerAnnouncedButSilentOnTheTunnelStaysWithItsHealthDown() throws Exception {
        advertise("b", "node-b", "198.19.77.2:4789", false, "10");
        await().atMost(Duration.ofSeconds(5)).until(() -> port("vtep-b") != null);
        // adverts keep coming (the cluster is fine) while probes are never answered
        long deadline = System.nanoTime() + Duration.ofSeconds(9).toNanos();
        while (System.nanoTime() < deadline && !peer("b").tunnel().equals("down")) {
            advertise("b", "node-b", "198.19.77.2:4789", false, "10");
            Thread.sleep(500);
        }
        assertThat(peer("b").tunnel()).isEqualTo("down");
        assertThat(peer("b").state()).isEqualTo("up");
        assertThat(port("vtep-b")).isNotNull();
        assertThat(tunnel.probes.get("vtep-b")).isGreaterThanOrEqualTo(4);
    }

    @Test
    void ignoresItsOwnAdvertsAndGarbage() throws Exception {
        advertise("a", "node-x", "198.19.77.9:4789", false, "10");
        agent.vertx().eventBus().publish(Fabric.ADVERTS, new JsonObject().put("hostId", 5));
        agent.vertx().eventBus().publish(Fabric.ADVERTS, new JsonObject().put("hostId", "c"));
        Thread.sleep(1500);
        assertThat(fabric.peers().toCompletionStage().toCompletableFuture().get()).isEmpty();
        assertThat(agent.controlPlane().config().ports()).extracting(PortSpec::name).containsOnly("a10", "a20", "vxlan0");
    }

    @Test
    void portNamesStayInterfaceNames() {
        assertThat(Fabric.portName("b")).isEqualTo("vtep-b");
        assertThat(Fabric.portName("rack7-host42")).hasSize(15).startsWith("vtep-rack");
        assertThat(Fabric.portName("rack7-host42")).isNotEqualTo(Fabric.portName("rack7-host43"));
        assertThat(Fabric.hostOf("fabric rack7-host42")).isEqualTo("rack7-host42");
        assertThat(Fabric.hostOf("lab two-vms")).isNull();
        assertThat(List.of(Fabric.portName("abcdefghij"))).allMatch(n -> n.length() <= 15);
    }
}
