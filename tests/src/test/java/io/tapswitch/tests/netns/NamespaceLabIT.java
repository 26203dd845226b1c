package io.tapswitch.tests.netns;

import io.tapswitch.agent.demo.DemoLab;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.fdb.FdbEntry;
import io.tapswitch.core.frame.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo lab, run for real: three namespace hosts on switch-owned TAP ports. Everything asserted
 * here crossed the kernel: pings answered, frames captured by tcpdump on a third host, bytes
 * received over TCP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NamespaceLabIT {
    private static final int HOSTS = 3;
    private static DemoLab lab;
    private static int fdsBefore;
    private static List<String> fdListBefore;
    private static Set<Thread> threadsBefore;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        // One throw-away cycle first, so that what the JVM opens lazily once (JNA's libffi stub,
        // /dev/urandom, Vert.x's first socket) is in the baseline and only growth per lab counts.
        DemoLab.start(1).close();
        fdListBefore = fdTargets();
        fdsBefore = fdListBefore.size();
        threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
        lab = DemoLab.start(HOSTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    private static Netns host(int i) {
        return lab.hosts().get(i - 1);
    }

    @Test
    @Order(1)
    void allPairsPing() {
        for (int a = 1; a <= HOSTS; a++) {
            for (int b = 1; b <= HOSTS; b++) {
                if (a != b) {
                    CommandResult r = host(a).run("ping", "-c", "2", "-i", "0.2", "-W", "2", DemoLab.ipv4(b));
                    assertThat(r.output()).as("ping h%d -> h%d", a, b).contains("2 received");
                    CommandResult r6 = host(a).run("ping", "-6", "-c", "1", "-W", "2", DemoLab.ipv6(b));
                    assertThat(r6.output()).as("ping6 h%d -> h%d", a, b).contains("1 received");
                }
            }
        }
    }

    @Test
    @Order(2)
    void fdbHoldsEachHostOnItsPort() {
        SwitchView sw = lab.agent().view();
        Topology t = sw.topology();
        for (int i = 1; i <= HOSTS; i++) {
            long mac = MacAddress.parse(DemoLab.mac(i));
            int port = t.idOf(DemoLab.portName(i));
            assertThat(sw.fdb().lookup(0, mac)).as("host %d", i).isEqualTo(port);
        }
        Set<String> listed = sw.fdb().entries().stream().map(FdbEntry::mac).map(MacAddress::format)
                .collect(Collectors.toSet());
        List<String> hosts = new java.util.ArrayList<>();
        for (int i = 1; i <= HOSTS; i++) {
            hosts.add(DemoLab.mac(i));
        }
        // Nothing else: above all not the random MAC a TAP had before the demo gave it its host's.
        assertThat(listed).as("no station the lab did not create").containsExactlyInAnyOrderElementsOf(hosts);
    }

    @Test
    @Order(3)
    void unknownUnicastFloodsToTheOtherHosts() throws Exception {
        String ghost = "02:ee:ee:ee:ee:01";
        host(1).exec("ip", "neigh", "replace", "198.18.0.99", "lladdr", ghost, "dev", DemoLab.portName(1), "nud", "permanent");
        try (Tcpdump capture = Tcpdump.start(host(3), DemoLab.portName(3), "ether", "dst", ghost)) {
            host(1).run("ping", "-c", "3", "-i", "0.2", "-W", "1", "198.18.0.99");
            Predicate<String> toGhost = l -> l.contains(DemoLab.mac(1) + " > " + ghost);
            assertThat(capture.stopAfter(toGhost, 3)).as("frames to the unknown MAC seen on h3")
                    .filteredOn(toGhost).hasSize(3);
        } finally {
            host(1).run("ip", "neigh", "del", "198.18.0.99", "dev", DemoLab.portName(1));
        }
        assertThat(lab.agent().view().fdb().lookup(0, MacAddress.parse(ghost))).isEqualTo(-1);
    }

    /**
     * Unicast isolation on the wire: once the switch has learned both ends, h3 must not see what h1
     * and h2 say to each other. tcpdump on h3 also shows that it would have seen it: the first
     * request, sent while the switch had forgotten h2, is flooded to h3, and pings addressed to h3
     * arrive there while the capture runs.
     */
    @Test
    @Order(4)
    void aBystanderSeesNoUnicastBetweenLearnedHosts() throws Exception {
        String h1 = DemoLab.mac(1);
        String h2 = DemoLab.mac(2);
        String h3 = DemoLab.mac(3);
        try (Tcpdump capture = Tcpdump.start(host(3), DemoLab.portName(3), "icmp")) {
            assertThat(lab.agent().controlPlane().flush(DemoLab.portName(2), -1)).as("h2 forgotten").isEqualTo(1);
            assertThat(host(1).run("ping", "-c", "1", "-W", "2", DemoLab.ipv4(2)).output()).contains("1 received");
            assertThat(host(1).run("ping", "-c", "5", "-i", "0.2", "-W", "2", DemoLab.ipv4(2)).output()).contains("5 received");
            assertThat(host(2).run("ping", "-c", "5", "-i", "0.2", "-W", "2", DemoLab.ipv4(1)).output()).contains("5 received");
            assertThat(host(1).run("ping", "-c", "2", "-i", "0.2", "-W", "2", DemoLab.ipv4(3)).output()).contains("2 received");
            Predicate<String> toH3 = l -> l.contains(h1 + " > " + h3) && l.contains("echo request");
            List<String> seen = capture.stopAfter(toH3, 2);
            assertThat(seen).as("on h3: only the request flooded before h2 was learned, of 11 between h1 and h2")
                    .filteredOn(l -> l.contains(h1 + " > " + h2) || l.contains(h2 + " > " + h1)).hasSize(1)
                    .allMatch(l -> l.contains(h1 + " > " + h2) && l.contains("echo request"));
            assertThat(seen).as("h3's own pings, seen while the capture ran")
                    .filteredOn(toH3).hasSize(2);
        }
    }

    @Test
    @Order(5)
    void tcpTransferArrivesIntact() throws Exception {
        Path dir = Files.createTempDirectory("tapswitch-tcp");
        Path sent = dir.resolve("sent.bin");
        Path received = dir.resolve("received.bin");
        byte[] data = new byte[12 * 1024 * 1024];
        new Random(2).nextBytes(data);
        Files.write(sent, data);
        try {
            Process server = new ProcessBuilder(host(2).inside("nc", "-l", "-p", "5001"))
                    .redirectOutput(received.toFile()).redirectErrorStream(false).start();
            Listening.awaitTcp(host(2), 5001);
            Process client = new ProcessBuilder(host(1).inside("nc", "-N", DemoLab.ipv4(2), "5001"))
                    .redirectInput(sent.toFile()).start();
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.size(received)).isEqualTo(data.length);
            assertThat(sha256(received)).isEqualTo(sha256(sent));
        } finally {
            Files.deleteIfExists(sent);
            Files.deleteIfExists(received);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    @Order(6)
    void shutdownLeavesNothingBehind() throws Exception {
        List<Thread> workers = lab.agent().view().threads();
        assertThat(workers).as("one event loop for %d ports", HOSTS).hasSize(1).allMatch(Thread::isAlive);
        lab.close();
        lab = null;
        assertThat(workers).noneMatch(Thread::isAlive);
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(Netns.exists(DemoLab.hostName(i))).isFalse();
            assertThat(HostCommand.run(List.of("ip", "link", "show", DemoLab.portName(i))).succeeded()).isFalse();
        }
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            // Only this class's threads: a class before it in the same JVM is not judged here.
            assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> !threadsBefore.contains(t))
                    .noneMatch(t -> t.getName().startsWith("tapswitch-") || t.getName().startsWith("vert.x-"));
            assertThat(openFds()).as("open fds now %s, before %s", fdTargets(), fdListBefore)
                    .isLessThanOrEqualTo(fdsBefore);
        });
    }

    /**
     * Descriptors that a switch could leak: devices, sockets, eventfds, pipes. Jar files the JVM
     * opens while loading classes during the test are not the switch's and are left out.
     */
    private static int openFds() throws IOException {
        return fdTargets().size();
    }

    private static List<String> fdTargets() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return "";
                }
            }).filter(target -> !target.endsWith(".jar") && !target.startsWith("/proc/")).sorted().toList();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
