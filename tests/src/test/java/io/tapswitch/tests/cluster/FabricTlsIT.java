package io.tapswitch.tests.cluster;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ClusterSpec;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.config.VxlanSpec;
import io.tapswitch.agent.fabric.Fabric;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event bus under TLS with client certificates ({@code cluster.tls}): agents a and b trust each
 * other's certificates and make one fabric (each announced to the other, a tunnel port each way);
 * agent c joins the same Hazelcast cluster (whose open-source membership has no TLS) with a
 * certificate neither trusts, and none of its messages crosses: a and b never hear of it and make
 * no tunnel to it, and it hears of neither.
 *
 * <p>The certificates are made with the JDK's {@code keytool} for this run. The underlay is a veth
 * in the root namespace holding the three agents' addresses; everything is removed afterwards.
 */
class FabricTlsIT {
    private static final String UNDERLAY = "tstls-ul";
    private static final String UNDERLAY_PEER = "tstls-ulp";
    private static final String PASSWORD = "tapswitch-test";
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final List<Agent> agents = new ArrayList<>();
    private static Path dir;
    private static Agent a;
    private static Agent b;
    private static Agent c;

    private static String address(String host) {
        return "198.19.93." + (host.charAt(0) - 'a' + 1);
    }

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        dir = Files.createTempDirectory("tapswitch-tls-");
        for (String host : List.of("a", "b", "c")) {
            keytool("-genkeypair", "-alias", host, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + host,
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", store(host), "-storepass", PASSWORD,
                    "-keypass", PASSWORD);
            keytool("-exportcert", "-alias", host, "-keystore", store(host), "-storepass", PASSWORD, "-file",
                    dir.resolve(host + ".crt").toString());
        }
        // a and b trust each other (and themselves); c trusts only itself and nobody trusts c
        for (String host : List.of("a", "b")) {
            keytool("-importcert", "-noprompt", "-alias", host, "-file", dir.resolve(host + ".crt").toString(),
                    "-storetype", "PKCS12", "-keystore", trust("ab"), "-storepass", PASSWORD);
        }
        keytool("-importcert", "-noprompt", "-alias", "c", "-file", dir.resolve("c.crt").toString(),
                "-storetype", "PKCS12", "-keystore", trust("c"), "-storepass", PASSWORD);

        HostCommand.run(List.of("ip", "link", "del", UNDERLAY));
        HostCommand.check("ip", "link", "add", UNDERLAY, "type", "veth", "peer", "name", UNDERLAY_PEER);
        for (String host : List.of("a", "b", "c")) {
            HostCommand.check("ip", "addr", "add", address(host) + "/24", "dev", UNDERLAY);
        }
        HostCommand.check("ip", "link", "set", UNDERLAY_PEER, "up");
        HostCommand.check("ip", "link", "set", UNDERLAY, "up");
        a = start("a", "ab", "b", "c");
        b = start("b", "ab", "a", "c");
        c = start("c", "c", "a", "b");
    }

    private static String store(String host) {
        return dir.resolve(host + ".p12").toString();
    }

    private static String trust(String who) {
        return dir.resolve("trust-" + who + ".p12").toString();
    }

    private static void keytool(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        argv.addAll(List.of(args));
        HostCommand.check(argv);
    }

    private static Agent start(String host, String trusted, String... peers) throws Exception {
        List<String> members = new ArrayList<>();
        for (String p : peers) {
            members.add(address(p));
        }
        ClusterSpec cluster = new ClusterSpec(host, address(host), null, null, members, null, null,
                new ClusterSpec.TlsSpec(store(host), PASSWORD, trust(trusted), PASSWORD));
        String port = "tstls-" + host;
        AgentConfig config = new AgentConfig("tls-" + host, null, null, HttpSpec.EPHEMERAL,
                List.of(new PortSpec(port, PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.CREATE, false, true,
                        new VlanSpec("access", 10, null, null))),
                null, null, cluster, new VxlanSpec(null, null, null, null, null, null));
        Agent agent = Agent.start(config, new AgentOptions().setStateDirectory(dir.resolve("state-" + host)));
        agents.add(agent);
        return agent;
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (Agent agent : agents) {
                agent.close();
            }
        } finally {
            HostCommand.run(List.of("ip", "link", "del", UNDERLAY));
            if (dir != null) {
                HostCommand.run(List.of("rm", "-rf", dir.toString()));
            }
        }
    }

    private static List<String> peersOf(Agent agent) throws Exception {
        return agent.fabric().peers().toCompletionStage().toCompletableFuture().get().stream()
                .map(Fabric.PeerView::hostId).toList();
    }

    @Test
    void onlyTrustedAgentsMakeAFabric() throws Exception {
        await().atMost(WAIT).until(() -> peersOf(a).contains("b") && peersOf(b).contains("a"));
        await().atMost(WAIT).until(() -> a.controlPlane().config().port("vtep-b") != null
                && b.controlPlane().config().port("vtep-a") != null);
        // c is a Hazelcast member, so its adverts would arrive by now, were they let through
        Thread.sleep(3 * Fabric.ADVERT_PERIOD_MILLIS);
        assertThat(peersOf(a)).containsExactly("b");
        assertThat(peersOf(b)).containsExactly("a");
        assertThat(peersOf(c)).as("c hears nobody: its certificate is refused and it trusts neither").isEmpty();
        assertThat(a.controlPlane().config().port("vtep-c")).isNull();
        assertThat(c.controlPlane().config().ports()).extracting(PortSpec::name).containsOnly("tstls-c", "vxlan0");
    }
}
