package io.tapswitch.tests.api;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.cli.Main;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Capture over the agent's API, end to end: an agent on loopback with TAP ports whose netdev sides
 * are two namespace hosts, a ping between them, and the pcap read back by tcpdump, whether it was
 * written by {@code tapswitch capture -w FILE}, streamed over HTTP into {@code tcpdump -r -}, or
 * taken from a mirror.
 *
 * <p>Neighbours are pinned ({@code nud permanent}), so that no ARP exchange takes part of the
 * frames counted, and IPv6 is off on every port, so that no router solicitation does either.
 */
@Timeout(120)
class CaptureIT {
    private static final String PREFIX = "tscap";
    private static final String P1 = PREFIX + "-p1";
    private static final String P2 = PREFIX + "-p2";
    /** Output of mirror {@value #MIRROR}; its netdev stays in this namespace, with nothing behind it. */
    private static final String P3 = PREFIX + "-p3";
    private static final String MIRROR = "tscapm";
    private static final String MAC1 = "02:00:00:0d:00:01";
    private static final String MAC2 = "02:00:00:0d:00:02";
    private static final String IP1 = "198.18.13.1";
    private static final String IP2 = "198.18.13.2";

    private static Agent agent;
    private static final List<Netns> hosts = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        List<PortSpec> ports = new ArrayList<>();
        for (String p : List.of(P1, P2, P3)) {
            ports.add(new PortSpec(p, PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.CREATE, false, true, null));
        }
        MirrorSpec mirror = new MirrorSpec(MIRROR, List.of(P1), List.of(P1), null, false, P3, null, null);
        agent = Agent.start(new AgentConfig("capture-lab", null, null, HttpSpec.EPHEMERAL, ports, List.of(mirror), null));
        try {
            HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + P3 + ".disable_ipv6=1");
            host(P1, MAC1, IP1 + "/24");
            host(P2, MAC2, IP2 + "/24");
            hosts.get(0).exec("ip", "neigh", "replace", IP2, "lladdr", MAC2, "dev", P1, "nud", "permanent");
            hosts.get(1).exec("ip", "neigh", "replace", IP1, "lladdr", MAC1, "dev", P2, "nud", "permanent");
            // one exchange first, so that the switch has learned both MACs and the pings below are unicast
            assertThat(ping(1).output()).contains("1 received");
        } catch (Throwable e) {
            stop();
            throw e;
        }
    }

    private static void host(String port, String mac, String cidr) {
        Netns ns = Netns.create(port);
        hosts.add(ns);
        ns.adopt(port);
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf." + port + ".disable_ipv6=1");
        ns.configure(port, mac, cidr, null);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            hosts.forEach(Netns::close);
            hosts.clear();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> agent.view().captures().isEmpty());
    }

    private static CommandResult ping(int count) {
        return hosts.get(0).run("ping", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", IP2);
    }

    /** Waits until the agent runs a capture, so that the ping that follows is seen whole. */
    private static void awaitCaptureRunning() {
        await().atMost(20, TimeUnit.SECONDS).until(() -> !agent.view().captures().isEmpty());
    }

    private Path tempFile() throws Exception {
        Path f = Files.createTempFile("tapswitch-capture-it", ".pcap");
        files.add(f);
        return f;
    }

    /** Runs {@code tapswitch capture ARGS} in this JVM, as {@code bin/tapswitch} would, without its exit. */
    private static CompletableFuture<Integer> captureCli(String... args) {
        List<String> argv = new ArrayList<>(List.of("capture", "--api", agent.apiUrl()));
        argv.addAll(List.of(args));
        return CompletableFuture.supplyAsync(() -> new CommandLine(new Main()).execute(argv.toArray(String[]::new)));
    }

    /** tcpdump's one line per frame for a pcap file, {@code -n -e}. */
    private static List<String> readBack(Path pcap) {
        return HostCommand.check("tcpdump", "-n", "-e", "-r", pcap.toString()).output().lines()
                .filter(l -> !l.startsWith("reading from file")).toList();
    }

    private static void assertTwoEchoesAndTwoReplies(List<String> lines) {
        assertThat(lines).hasSize(4);
        assertThat(lines.stream().filter(l -> l.contains(MAC1 + " > " + MAC2)
                && l.contains(IP1 + " > " + IP2 + ": ICMP echo request"))).hasSize(2);
        assertThat(lines.stream().filter(l -> l.contains(MAC2 + " > " + MAC1)
                && l.contains(IP2 + " > " + IP1 + ": ICMP echo reply"))).hasSize(2);
    }

    @Test
    void theCliWritesAPortsFramesToAFileThatTcpdumpReads() throws Exception {
        Path file = tempFile();
        CompletableFuture<Integer> cli = captureCli(P2, "-c", "4", "--seconds", "60", "-w", file.toString());
        awaitCaptureRunning();
        assertThat(ping(2).output()).contains("2 received");
        assertThat(cli.get(30, TimeUnit.SECONDS)).isZero();
        assertTwoEchoesAndTwoReplies(readBack(file));
    }

    @Test
    void anHttpDownloadStreamsIntoTcpdump() throws Exception {
        Path out = tempFile();
        String url = agent.apiUrl() + "/api/v1/ports/" + P1 + "/capture?count=4&seconds=60";
        Process pipe = new ProcessBuilder("bash", "-o", "pipefail", "-c",
                "curl -sS --fail-with-body -N '" + url + "' | tcpdump -l -n -e -r -")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        processes.add(pipe);
        awaitCaptureRunning();
        assertThat(ping(2).output()).contains("2 received");
        assertThat(pipe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String said = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(pipe.exitValue()).as(said).isZero();
        assertTwoEchoesAndTwoReplies(said.lines().filter(l -> l.contains("ICMP")).toList());
    }

    @Test
    void aMirrorsCopiesAreCapturedByName() throws Exception {
        Path file = tempFile();
        // no --mirror: the CLI asks the agent whether the name is a port or a mirror
        CompletableFuture<Integer> cli = captureCli(MIRROR, "-c", "4", "--seconds", "60", "-w", file.toString());
        awaitCaptureRunning();
        assertThat(ping(2).output()).contains("2 received");
        assertThat(cli.get(30, TimeUnit.SECONDS)).isZero();
        assertTwoEchoesAndTwoReplies(readBack(file));
    }

    @Test
    void aBadLimitOrAnUnknownNameFailsWithAMessage() throws Exception {
        Path file = tempFile();
        assertThat(captureCli("nosuch", "-c", "1", "-w", file.toString()).get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(captureCli(P1, "--snaplen", "0", "-w", file.toString()).get(30, TimeUnit.SECONDS)).isEqualTo(1);
        CommandResult curl = HostCommand.run(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                agent.apiUrl() + "/api/v1/ports/" + P1 + "/capture?seconds=0"));
        assertThat(curl.output().trim()).isEqualTo("400");
    }
}
