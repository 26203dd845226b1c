package io.tapswitch.tests.lab;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.fdb.FdbCounters;
import io.tapswitch.core.fdb.FdbEntry;
import io.tapswitch.core.frame.MacAddress;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tapswitch judged by what its hosts see: container hosts plugged into TAP ports of a real
 * {@link Switch}, exchanging real traffic, with each scenario asserting on what crossed the wire
 * (pings answered, frames captured by bystanders, bytes received intact) and on the MAC table
 * that the traffic left behind.
 *
 * <p>Every scenario builds its own switch and lab, so each starts from an empty MAC table with
 * the options it needs (a short aging time, say) and none depends on another's leftovers; the
 * lab and the switch are removed after each one, whether it passed or not. Netdevs are named
 * with a prefix unique to this run ({@code sNN-h1} and so on), because several people's test
 * runs may share a machine. Most scenarios use TAP ports, tapswitch's own kind; the last one
 * repeats the basics over veth pairs attached as AF_PACKET ports.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwitchScenariosIT {

    private static final AtomicInteger SCENARIOS = new AtomicInteger();
    private static final String RUN = HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt());
    private static final String NETDEV_PREFIX = "s" + RUN;
    private static final int VLAN = 0;

    /** A unicast, locally administered MAC that no host has, and an address that resolves to it. */
    private static final String GHOST_MAC = "02:de:ad:00:be:ef";
    private static final String GHOST_IPV4 = "198.18.0.250";

    private static final int PAYLOAD_MIB = 12;
    private static final String TRANSFER_PORT = "5001";
    private static final Duration SHORT_AGING = Duration.ofSeconds(2);

    /** The aging thread runs once a second, so an idle entry lasts at most this long past the aging time. */
    private static final Duration AGING_SLACK = Duration.ofSeconds(2);

    private static final Pattern PACKETS_RECEIVED = Pattern.compile("(\\d+) packets received");

    /**
     * Background commands get threads of their own: the common pool has a single worker on a
     * two-core machine and may be busy with Testcontainers' own work.
     */
    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "scenario-background");
        thread.setDaemon(true);
        return thread;
    });

    private TapswitchPorts ports;
    private Lab lab;
    private long started;

    @BeforeAll
    static void requireALabMachine() {
        DockerAvailability.assumeAvailable();
        Prerequisites.requireRoot();
        Prerequisites.requireTunDevice();
    }

    @BeforeEach
    void countScenario() {
        SCENARIOS.incrementAndGet();
        started = System.nanoTime();
    }

    @AfterEach
    void removeLabAndSwitch(TestInfo test) {
        try {
            if (lab != null) {
                lab.close();
            }
        } finally {
            if (ports != null) {
                ports.close();
            }
            System.out.printf("SwitchScenariosIT: %s took %d ms%n", test.getDisplayName(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    @AfterAll
    static void report() {
        BACKGROUND.shutdownNow();
        System.out.printf("SwitchScenariosIT: %d scenarios executed%n", SCENARIOS.get());
    }

    @Test
    @Order(1)
    void everyHostReachesEveryOtherAndIsLearnedOnItsOwnPort() {
        startLab("learning", 4, AgentConfig.DEFAULT_AGING_SECONDS);

        for (LabHost from : lab.hosts()) {
            for (LabHost to : lab.hosts()) {
                if (from != to) {
                    assertAnswered(pingUntilAnswered(from, "ping", to.ipv4()));
                    assertAnswered(pingUntilAnswered(from, "ping6", to.ipv6()));
                }
            }
        }

        SwitchView datapath = ports.view();
        for (int number = 1; number <= lab.hosts().size(); number++) {
            String port = Lab.portName(number);
            assertThat(datapath.fdb().lookup(VLAN, mac(lab.host(number))))
                    .as("port of %s, which is plugged into %s", lab.host(number).name(), ports.netdev(port))
                    .isEqualTo(ports.portId(port));
            assertThat(ports.stats(port).decisions(Reason.FORWARD_UNICAST))
                    .as("unicast frames from %s forwarded to a learned port", port).isPositive();
        }
        assertThat(datapath.fdb().entries()).extracting(FdbEntry::mac)
                .as("learned stations").containsExactlyInAnyOrderElementsOf(
                        lab.hosts().stream().map(SwitchScenariosIT::mac).toList());
        assertThat(datapath.fdb().counters().moved()).as("moves").isZero();
    }

    @Test
    @Order(2)
    void unknownUnicastIsFloodedToEveryOtherHostAndNeverLearned() {
        startLab("flooding", 4, AgentConfig.DEFAULT_AGING_SECONDS);
        LabHost sender = lab.host(1);
        List<LabHost> bystanders = lab.hosts().subList(1, 4);
        pointAtGhost(sender);
        long floodedBefore = ports.stats(Lab.portName(1)).decisions(Reason.FLOOD_UNKNOWN_UNICAST);

        Map<LabHost, List<CapturedFrame>> seen = captureDuring(bystanders,
                () -> sender.exec("ping", "-c", "3", "-i", "0.2", "-W", "1", GHOST_IPV4),
                "ether", "host", GHOST_MAC);

        for (LabHost bystander : bystanders) {
            assertThat(seen.get(bystander)).as("frames to the ghost on %s", bystander.name())
                    .hasSize(3)
                    .allSatisfy(frame -> {
                        assertThat(frame.isBetween(sender.mac(), GHOST_MAC)).isTrue();
                        assertThat(frame.etherType()).isEqualTo(CapturedFrame.ETHERTYPE_IPV4);
                        assertThat(frame.summary()).contains("ICMP echo request");
                    });
        }
        SwitchView datapath = ports.view();
        assertThat(datapath.fdb().lookup(VLAN, MacAddress.parse(GHOST_MAC))).as("port of the ghost").isEqualTo(-1);
        assertThat(datapath.fdb().entries()).extracting(FdbEntry::mac).doesNotContain(MacAddress.parse(GHOST_MAC));
        assertThat(ports.stats(Lab.portName(1)).decisions(Reason.FLOOD_UNKNOWN_UNICAST) - floodedBefore)
                .as("unknown unicast floods counted on %s", ports.netdev(Lab.portName(1)))
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    @Order(3)
    void learnedUnicastReachesOnlyItsDestination() {
        startLab("unicast", 4, AgentConfig.DEFAULT_AGING_SECONDS);
        LabHost sender = lab.host(1);
        LabHost receiver = lab.host(2);
        List<LabHost> bystanders = lab.hosts().subList(2, 4);
        assertAnswered(pingUntilAnswered(sender, "ping", receiver.ipv4()));
        assertThat(ports.view().fdb().lookup(VLAN, mac(receiver))).isEqualTo(ports.portId(Lab.portName(2)));
        pointAtGhost(sender);

        List<CommandResult> pings = new ArrayList<>();
        Map<LabHost, List<CapturedFrame>> seen = captureDuring(bystanders, () -> {
            pings.add(sender.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", receiver.ipv4()));
            pings.add(sender.exec("ping", "-c", "1", "-W", "1", GHOST_IPV4));
        });

        assertThat(packetsReceived(pings.get(0))).as(pings.get(0).describe()).isEqualTo(3);
        for (LabHost bystander : bystanders) {
            assertThat(seen.get(bystander)).as("frames on %s", bystander.name())
                    .anySatisfy(frame -> assertThat(frame.isBetween(sender.mac(), GHOST_MAC))
                            .as("the flooded control frame, which shows the capture was listening").isTrue())
                    .noneSatisfy(frame -> assertThat(frame.isBetween(sender.mac(), receiver.mac())).isTrue())
                    .noneSatisfy(frame -> assertThat(frame.isBetween(receiver.mac(), sender.mac())).isTrue());
        }
    }

    @Test
    @Order(4)
    void bulkTcpTransferArrivesIntact() throws Exception {
        startLab("tcp", 2, AgentConfig.DEFAULT_AGING_SECONDS);
        assertTransferArrivesIntact(1, 2);
    }

    /**
     * Sends {@value #PAYLOAD_MIB} MiB of random bytes over TCP from one host to another and
     * checks that they arrived complete and unchanged, and that the switch delivered at least
     * that many bytes to the receiver's port.
     */
    private void assertTransferArrivesIntact(int senderNumber, int receiverNumber) throws Exception {
        LabHost sender = lab.host(senderNumber);
        LabHost receiver = lab.host(receiverNumber);
        String receiverPort = Lab.portName(receiverNumber);
        long payloadBytes = PAYLOAD_MIB * 1048576L;
        sender.execChecked("dd", "if=/dev/urandom", "of=/tmp/payload", "bs=1048576", "count=" + PAYLOAD_MIB);
        assertAnswered(pingUntilAnswered(sender, "ping", receiver.ipv4()));
        long deliveredBefore = ports.stats(receiverPort).txBytes();

        CompletableFuture<CommandResult> listening = CompletableFuture.supplyAsync(() -> receiver.exec(
                "timeout", "120", "nc", "-l", "-p", TRANSFER_PORT, "-e", "dd", "of=/tmp/received", "bs=65536"),
                BACKGROUND);
        Awaitility.await("nc listening on " + receiver.name()).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.exec("netstat", "-ltn").stdout().contains(":" + TRANSFER_PORT + " "));
        long transferStarted = System.nanoTime();
        sender.execChecked("timeout", "120", "nc", receiver.ipv4(), TRANSFER_PORT, "-e", "cat", "/tmp/payload");
        CommandResult received = listening.get(130, TimeUnit.SECONDS);
        long millis = Duration.ofNanos(System.nanoTime() - transferStarted).toMillis();

        assertThat(received.succeeded()).as(received.describe()).isTrue();
        assertThat(receiver.execChecked("stat", "-c", "%s", "/tmp/received").stdout().strip())
                .isEqualTo(Long.toString(payloadBytes));
        assertThat(md5(receiver, "/tmp/received")).isEqualTo(md5(sender, "/tmp/payload"));
        assertThat(ports.stats(receiverPort).txBytes() - deliveredBefore)
                .as("bytes the switch delivered to %s", ports.netdev(receiverPort))
                .isGreaterThanOrEqualTo(payloadBytes);
        System.out.printf("SwitchScenariosIT: %d MiB over TCP through %s in %d ms (%.0f Mbit/s)%n",
                PAYLOAD_MIB, ports.view().topology().port(ports.portId(receiverPort)).device().kind(), millis,
                payloadBytes * 8.0 / 1000.0 / Math.max(millis, 1));
    }

    /**
     * Host 2's cable is moved to a new port: its old interface is taken down and stripped of its
     * addresses, but stays plugged into its port, which the switch keeps; a second TAP moved into
     * the host takes over its MAC and addresses. The switch must then move the station's entry
     * (not forget and relearn it) as soon as the host speaks from the new port.
     */
    @Test
    @Order(5)
    void stationThatMovesToAnotherPortIsFoundThere() {
        startLab("move", 3, AgentConfig.DEFAULT_AGING_SECONDS);
        LabHost moving = lab.host(2);
        for (LabHost peer : List.of(lab.host(1), lab.host(3))) {
            assertAnswered(pingUntilAnswered(peer, "ping", moving.ipv4()));
        }
        SwitchView datapath = ports.view();
        int oldPort = ports.portId(Lab.portName(2));
        assertThat(datapath.fdb().lookup(VLAN, mac(moving))).isEqualTo(oldPort);
        FdbCounters before = datapath.fdb().counters();

        String newNetdev = ports.createTapPort("h2b");
        int newPort = ports.portId("h2b");
        AdoptedLink oldLink = moving.primaryLink();
        moving.execInNetns("ip", "link", "set", "dev", oldLink.name(), "down").orThrow();
        moving.execInNetns("ip", "address", "flush", "dev", oldLink.name()).orThrow();
        moving.adoptLink(newNetdev, "eth1", oldLink.mac(), oldLink.ipv4Cidr(), oldLink.ipv6Cidr());

        assertAnswered(pingUntilAnswered(moving, "ping", lab.host(1).ipv4()));
        assertThat(datapath.fdb().lookup(VLAN, mac(moving))).as("port of the moved station").isEqualTo(newPort);
        FdbCounters after = datapath.fdb().counters();
        assertThat(after.moved()).as("moves").isGreaterThan(before.moved());
        assertThat(after.learned()).as("stations learned anew").isEqualTo(before.learned());
        assertThat(datapath.topology().idOf(ports.netdev(Lab.portName(2))))
                .as("the old port, still attached").isEqualTo(oldPort);
        for (LabHost peer : List.of(lab.host(1), lab.host(3))) {
            CommandResult ping = peer.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", moving.ipv4());
            assertThat(packetsReceived(ping)).as(ping.describe()).isEqualTo(3);
        }
    }

    /**
     * With a two-second aging time, host 2 falls silent while host 1 keeps pinging host 3. Every
     * host has permanent neighbour entries and no IPv6, so nothing (no ARP probe, no router
     * solicitation) breaks the silence behind the scenario's back; the port's receive counter
     * proves it. Once host 2's entry is gone, a frame to it must be flooded again.
     */
    @Test
    @Order(6)
    void silentStationAgesOutWhileATalkingOneStays() throws Exception {
        startLab("aging", 3, (int) SHORT_AGING.toSeconds());
        for (LabHost host : lab.hosts()) {
            host.execInNetns("sysctl", "-q", "-w", "net.ipv6.conf." + Lab.INTERFACE + ".disable_ipv6=1").orThrow();
            for (LabHost other : lab.hosts()) {
                if (other != host) {
                    host.execInNetns("ip", "neigh", "replace", other.ipv4(), "lladdr", other.mac(),
                            "dev", Lab.INTERFACE, "nud", "permanent").orThrow();
                }
            }
        }
        LabHost talker = lab.host(1);
        LabHost silent = lab.host(2);
        LabHost peer = lab.host(3);
        SwitchView datapath = ports.view();
        CompletableFuture<CommandResult> talking = CompletableFuture.supplyAsync(
                () -> talker.exec("ping", "-c", "50", "-i", "0.2", "-W", "2", peer.ipv4()), BACKGROUND);
        Awaitility.await("talker and peer learned").atMost(Duration.ofSeconds(5))
                .until(() -> datapath.fdb().lookup(VLAN, mac(talker)) >= 0 && datapath.fdb().lookup(VLAN, mac(peer)) >= 0);

        assertAnswered(pingUntilAnswered(silent, "ping", talker.ipv4()));
        long silenceStarted = System.nanoTime();
        long heardBefore = ports.stats(Lab.portName(2)).rxPackets();
        long expiredBefore = datapath.fdb().counters().expired();
        assertThat(datapath.fdb().lookup(VLAN, mac(silent))).isEqualTo(ports.portId(Lab.portName(2)));

        Awaitility.await("entry of the silent " + silent.name() + " aged out")
                .atMost(SHORT_AGING.plus(AGING_SLACK)).pollInterval(Duration.ofMillis(50))
                .until(() -> datapath.fdb().lookup(VLAN, mac(silent)) < 0);
        long agedAfter = Duration.ofNanos(System.nanoTime() - silenceStarted).toMillis();

        assertThat(datapath.fdb().lookup(VLAN, mac(talker))).as("port of the talker").isEqualTo(ports.portId(Lab.portName(1)));
        assertThat(datapath.fdb().lookup(VLAN, mac(peer))).as("port of the peer").isEqualTo(ports.portId(Lab.portName(3)));
        assertThat(ports.stats(Lab.portName(2)).rxPackets()).as("frames from the silent host").isEqualTo(heardBefore);
        assertThat(datapath.fdb().counters().expired()).isGreaterThan(expiredBefore);
        assertThat(agedAfter).as("ms until the entry went").isGreaterThanOrEqualTo(SHORT_AGING.toMillis() / 2);
        System.out.printf("SwitchScenariosIT: a silent station aged out %d ms after its last frame (aging %d ms)%n",
                agedAfter, SHORT_AGING.toMillis());

        Map<LabHost, List<CapturedFrame>> seen = captureDuring(List.of(peer),
                () -> talker.exec("ping", "-c", "1", "-W", "2", silent.ipv4()), "ether", "host", silent.mac());
        assertThat(seen.get(peer)).as("frames for the forgotten %s on %s", silent.name(), peer.name())
                .anySatisfy(frame -> assertThat(frame.isBetween(talker.mac(), silent.mac())).isTrue());
        assertThat(datapath.fdb().lookup(VLAN, mac(silent))).as("port of the station, relearned")
                .isEqualTo(ports.portId(Lab.portName(2)));

        CommandResult talked = talking.get(30, TimeUnit.SECONDS);
        assertThat(packetsReceived(talked)).as(talked.describe()).isEqualTo(50);
    }

    /**
     * The same switch reached through veth pairs instead of TAPs: every host reaches every
     * other, is learned on its own port, and a bulk transfer (TSO super-frames and partial
     * checksums carried in the virtio-net header) arrives intact.
     */
    @Test
    @Order(7)
    void hostsOnVethPortsReachEachOtherAndMoveBulkData() throws Exception {
        startLab("veth", 3, AgentConfig.DEFAULT_AGING_SECONDS, LinkKind.VETH);

        for (LabHost from : lab.hosts()) {
            for (LabHost to : lab.hosts()) {
                if (from != to) {
                    assertAnswered(pingUntilAnswered(from, "ping", to.ipv4()));
                }
            }
        }
        for (int number = 1; number <= lab.hosts().size(); number++) {
            assertThat(ports.view().fdb().lookup(VLAN, mac(lab.host(number))))
                    .as("port of %s", lab.host(number).name()).isEqualTo(ports.portId(Lab.portName(number)));
        }
        assertTransferArrivesIntact(3, 1);
    }

    private void startLab(String scenario, int hosts, int agingSeconds) {
        startLab(scenario, hosts, agingSeconds, LinkKind.TAP);
    }

    private void startLab(String scenario, int hosts, int agingSeconds, LinkKind linkKind) {
        ports = TapswitchPorts.start(new AgentConfig("scenario-" + scenario, null, agingSeconds, List.of()), NETDEV_PREFIX);
        long building = System.nanoTime();
        lab = Lab.builder().id("scenario-" + RUN + "-" + scenario).hosts(hosts).switchPorts(ports)
                .linkKind(linkKind).build();
        System.out.printf("SwitchScenariosIT: lab %s with %d hosts ready in %d ms%n",
                lab.id(), hosts, Duration.ofNanos(System.nanoTime() - building).toMillis());
    }

    /** Makes the host send anything for {@value #GHOST_IPV4} straight to {@value #GHOST_MAC}, without ARP. */
    private static void pointAtGhost(LabHost host) {
        host.execInNetns("ip", "neigh", "replace", GHOST_IPV4, "lladdr", GHOST_MAC,
                "dev", Lab.INTERFACE, "nud", "permanent").orThrow();
    }

    /**
     * Captures on the hosts' {@code eth0} while {@code traffic} runs, and returns what each saw.
     * Captures are stopped even when the traffic fails.
     */
    private static Map<LabHost, List<CapturedFrame>> captureDuring(List<LabHost> hosts, Runnable traffic, String... filter) {
        List<LabHost> capturing = new ArrayList<>();
        Map<LabHost, List<CapturedFrame>> seen = new LinkedHashMap<>();
        try {
            for (LabHost host : hosts) {
                host.startCapture(Lab.INTERFACE, filter);
                capturing.add(host);
            }
            traffic.run();
        } finally {
            for (LabHost host : capturing) {
                seen.put(host, host.stopCapture());
            }
        }
        return seen;
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

    private static void assertAnswered(CommandResult ping) {
        assertThat(ping.succeeded()).as(ping.describe()).isTrue();
        assertThat(packetsReceived(ping)).as(ping.describe()).isPositive();
    }

    private static int packetsReceived(CommandResult ping) {
        Matcher matcher = PACKETS_RECEIVED.matcher(ping.stdout());
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }

    private static long mac(LabHost host) {
        return MacAddress.parse(host.mac());
    }

    private static String md5(LabHost host, String path) {
        return host.execChecked("md5sum", path).stdout().split("\\s+")[0];
    }
}
