package io.tapswitch.tests.lab;

import com.github.dockerjava.api.model.Container;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Proves the lab harness against the kernel's bridge, before any scenario relies on it to
 * judge tapswitch: three hosts reach each other over IPv4 and IPv6, a capture shows exactly
 * the frames a learning switch delivers to a bystander, a bulk TCP transfer arrives intact,
 * and closing the lab leaves no container, link or bridge behind, nor does a lab whose
 * construction fails half way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabHarnessIT {

    private static final int HOSTS = 3;
    private static final int PAYLOAD_MIB = 12;
    private static final String TRANSFER_PORT = "5001";
    private static final AtomicInteger SCENARIOS = new AtomicInteger();

    private static LinuxBridgePorts bridge;
    private static Lab lab;

    @BeforeAll
    static void startLab() {
        DockerAvailability.assumeAvailable();
        Prerequisites.requireRoot();
        bridge = LinuxBridgePorts.create();
        long started = System.nanoTime();
        lab = Lab.builder().hosts(HOSTS).switchPorts(bridge).linkKind(LinkKind.VETH).build();
        System.out.printf("LabHarnessIT: lab %s with %d hosts ready in %d ms%n",
                lab.id(), HOSTS, Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    @AfterAll
    static void tearDown() {
        try {
            closeEverything();
        } finally {
            System.out.printf("LabHarnessIT: %d scenarios executed%n", SCENARIOS.get());
        }
    }

    private static void closeEverything() {
        try {
            if (lab != null) {
                lab.close();
            }
        } finally {
            if (bridge != null) {
                bridge.close();
            }
        }
    }

    @Test
    @Order(1)
    void everyHostPingsEveryOtherOverIpv4() {
        SCENARIOS.incrementAndGet();
        for (LabHost from : lab.hosts()) {
            for (LabHost to : lab.hosts()) {
                if (from != to) {
                    CommandResult ping = pingUntilAnswered(from, "ping", to.ipv4());
                    assertThat(ping.succeeded()).as(ping.describe()).isTrue();
                }
            }
        }
    }

    @Test
    @Order(2)
    void everyHostPingsEveryOtherOverIpv6() {
        SCENARIOS.incrementAndGet();
        for (LabHost from : lab.hosts()) {
            for (LabHost to : lab.hosts()) {
                if (from != to) {
                    CommandResult ping = pingUntilAnswered(from, "ping6", to.ipv6());
                    assertThat(ping.succeeded()).as(ping.describe()).isTrue();
                }
            }
        }
    }

    @Test
    @Order(3)
    void bystanderSeesTheBroadcastArpButNotTheUnicastReply() {
        SCENARIOS.incrementAndGet();
        LabHost sender = lab.host(1);
        LabHost target = lab.host(2);
        LabHost bystander = lab.host(3);
        sender.execChecked("ip", "neigh", "flush", "dev", Lab.INTERFACE);

        bystander.startCapture(Lab.INTERFACE);
        List<CapturedFrame> seen;
        try {
            sender.execChecked("ping", "-c", "1", "-W", "2", target.ipv4());
        } finally {
            seen = bystander.stopCapture();
        }

        assertThat(seen).as("frames on %s", bystander.name())
                .anySatisfy(frame -> {
                    assertThat(frame.isBetween(sender.mac(), CapturedFrame.BROADCAST)).isTrue();
                    assertThat(frame.etherType()).isEqualTo(CapturedFrame.ETHERTYPE_ARP);
                    assertThat(frame.summary()).contains("who-has " + target.ipv4() + " tell " + sender.ipv4());
                })
                .noneSatisfy(frame -> assertThat(frame.isBetween(target.mac(), sender.mac())).isTrue())
                .noneSatisfy(frame -> assertThat(frame.isBetween(sender.mac(), target.mac())).isTrue());
    }

    @Test
    @Order(4)
    void tcpTransferArrivesIntact() throws Exception {
        SCENARIOS.incrementAndGet();
        LabHost sender = lab.host(1);
        LabHost receiver = lab.host(2);
        sender.execChecked("dd", "if=/dev/urandom", "of=/tmp/payload", "bs=1048576", "count=" + PAYLOAD_MIB);

        CompletableFuture<CommandResult> listening = CompletableFuture.supplyAsync(() -> receiver.exec(
                "timeout", "120", "nc", "-l", "-p", TRANSFER_PORT, "-e", "dd", "of=/tmp/received", "bs=65536"));
        Awaitility.await("nc listening on " + receiver.name()).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.exec("netstat", "-ltn").stdout().contains(":" + TRANSFER_PORT + " "));
        long started = System.nanoTime();
        sender.execChecked("timeout", "120", "nc", receiver.ipv4(), TRANSFER_PORT, "-e", "cat", "/tmp/payload");
        CommandResult received = listening.get();
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertThat(received.succeeded()).as(received.describe()).isTrue();

        String sent = md5(sender, "/tmp/payload");
        assertThat(md5(receiver, "/tmp/received")).isEqualTo(sent);
        assertThat(receiver.execChecked("stat", "-c", "%s", "/tmp/received").stdout().strip())
                .isEqualTo(Long.toString(PAYLOAD_MIB * 1048576L));
        System.out.printf("LabHarnessIT: %d MiB over TCP in %d ms%n", PAYLOAD_MIB, millis);
    }

    @Test
    @Order(5)
    void closingTheLabLeavesNothingBehind() {
        SCENARIOS.incrementAndGet();
        String labId = lab.id();
        List<String> hostNetdevs = List.of(
                LinuxBridgePorts.BRIDGE_SIDE_PREFIX, LinuxBridgePorts.HOST_SIDE_PREFIX, LinuxBridgePorts.BRIDGE);

        closeEverything();
        lab.close();

        assertThat(containersOf(labId)).as("containers of lab %s", labId).isEmpty();
        String links = HostCommand.check("ip", "-o", "link", "show").stdout();
        for (String netdev : hostNetdevs) {
            assertThat(links).as("netdevs of the machine").doesNotContain(": " + netdev);
        }
    }

    @Test
    @Order(6)
    void aLabThatFailsToBuildRemovesWhatItStarted() {
        SCENARIOS.incrementAndGet();
        String labId = "failing-build-" + Long.toHexString(System.nanoTime());
        try (LinuxBridgePorts tapless = LinuxBridgePorts.create()) {
            assertThatThrownBy(() -> Lab.builder().id(labId).hosts(2).switchPorts(tapless).linkKind(LinkKind.TAP).build())
                    .isInstanceOf(UnsupportedOperationException.class);
        }
        assertThat(containersOf(labId)).as("containers of lab %s", labId).isEmpty();
        assertThat(LinuxBridgePorts.linkExists(LinuxBridgePorts.BRIDGE)).isFalse();
    }

    private static List<Container> containersOf(String labId) {
        return DockerClientFactory.instance().client().listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(Lab.LABEL, labId))
                .exec();
    }

    /** The first packets may be lost while links come up, so a ping gets a few tries. */
    private static CommandResult pingUntilAnswered(LabHost from, String ping, String address) {
        CommandResult result = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            result = from.exec(ping, "-c", "1", "-W", "1", address);
            if (result.succeeded()) {
                return result;
            }
        }
        return result;
    }

    private static String md5(LabHost host, String path) {
        return host.execChecked("md5sum", path).stdout().split("\\s+")[0];
    }
}
