package io.tapswitch.tests.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.CliRun;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.tests.netns.Listening;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The multi-host fabric end to end, on one machine: two agents, each a {@code tapswitch run} JVM in
 * a namespace of its own, clustered over Hazelcast and tunnelling over VXLAN, plus a Linux kernel
 * VTEP, all on one underlay bridge; lab hosts are namespaces on the agents' ports.
 *
 * <pre>
 *                         root namespace: bridge tsf-ul 198.19.77.254/24 (the test reaches the APIs here)
 *            ┌──────────────── tsf-ua ──────────┼───────── tsf-ub ───────────┬──────── tsf-uk ─────────┐
 *   tsf-a: agent a, ul0 198.19.77.1    tsf-b: agent b, ul0 198.19.77.2    tsf-k: kernel VTEP 198.19.77.3
 *    TAP tsf-a10 (VLAN 10) → tsf-ha10    TAP tsf-b10 (VLAN 10) → tsf-hb10      vx10 (VNI 10010) ─ br0 ─ hk0
 *    TAP tsf-a20 (VLAN 20) → tsf-ha20    TAP tsf-b20 (VLAN 20) → tsf-hb20        flood list: .1 and .2
 *                                        veth tsf-bv (netdev, VLAN 10) → tsf-hbv        └─ eth0 of tsf-hk
 *   hosts in VLAN 10: 198.18.77.0/24 (ha10 .11, hb10 .21, hbv .22, hk .31); VLAN 20: 198.18.78.0/24 (ha20 .11, hb20 .21)
 * </pre>
 *
 * <p>Each agent finds the other through the cluster and makes a tunnel port to it ({@code vtep-b},
 * {@code vtep-a}); the kernel VTEP is a static VTEP of both ({@code vtep-k}, VNI 10010). Tests run in
 * order on that one topology, the failures last: a control-plane partition, a data-plane block, a
 * {@code kill -9} of agent b and its restart. B's host for that last pair sits on a veth netdev port
 * (a restarted agent binds it again; a TAP whose netdev was moved away it could not find).
 *
 * <p>The kernel VTEP's vxlan device learns (no {@code nolearning}): the issue asks both for
 * {@code nolearning} and for the kernel to learn A's MAC against A's VTEP, and a vxlan device with
 * {@code nolearning} learns nothing ({@code bridge fdb show dev vx10} then has no {@code dst} entry
 * for any MAC, checked by hand); its flood list is the two {@code 00:00:00:00:00:00} entries either
 * way. Its underlay veth has transmit checksum offload off (see {@code KernelVxlanIT}).
 *
 * <p>Measured times are printed (lines starting {@code FabricIT:}) and recorded in docs/fabric.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FabricIT {
    static final String NET = "198.19.77";
    static final String A_VTEP = NET + ".1";
    static final String B_VTEP = NET + ".2";
    static final String K_VTEP = NET + ".3";

    record Host(String ns, String ifname, String mac, String ip) {
    }

    static final Host HA10 = new Host("ha10", "tsf-a10", "02:77:00:00:0a:11", "198.18.77.11");
    static final Host HA20 = new Host("ha20", "tsf-a20", "02:77:00:00:14:11", "198.18.78.11");
    static final Host HB10 = new Host("hb10", "tsf-b10", "02:77:00:00:0a:21", "198.18.77.21");
    static final Host HB20 = new Host("hb20", "tsf-b20", "02:77:00:00:14:21", "198.18.78.21");
    static final Host HBV = new Host("hbv", "eth0", "02:77:00:00:0a:22", "198.18.77.22");
    static final Host HK = new Host("hk", "eth0", "02:77:00:00:0a:31", "198.18.77.31");

    private static final String[] NAMESPACES = {"tsf-a", "tsf-b", "tsf-k", "tsf-ha10", "tsf-ha20", "tsf-hb10",
            "tsf-hb20", "tsf-hbv", "tsf-hk"};

    private static FabricLab lab;
    private static Netns nsA;
    private static Netns nsB;
    private static Netns nsK;
    private static final Map<Host, Netns> hosts = new LinkedHashMap<>();
    private static AgentProcess agentA;
    private static AgentProcess agentB;
    private static Path configB;
    private static Api apiA;
    private static Api apiB;
    /** Underlay captures are taken on these root-side veths. */
    private static String wireA;
    private static String wireB;
    private static String wireK;
    /** What the run measured, printed at the end and recorded in docs/fabric.md. */
    private static final Map<String, String> measured = new LinkedHashMap<>();

    @RegisterExtension
    static final TestWatcher LOGS = FabricLab.agentLogsOnFailure(() -> lab, 150);

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        lab = FabricLab.create("tsf", NET, NAMESPACES);
        try {
            nsA = lab.namespace("a");
            nsB = lab.namespace("b");
            nsK = lab.namespace("k");
            wireA = lab.underlay(nsA, "a", 1);
            wireB = lab.underlay(nsB, "b", 2);
            wireK = lab.underlay(nsK, "k", 3);
            for (Host h : List.of(HA10, HA20, HB10, HB20, HBV, HK)) {
                hosts.put(h, lab.namespace(h.ns()));
            }
            kernelVtep();
            lab.vethHost(nsB, "tsf-bv", host(HBV), HBV.mac(), HBV.ip() + "/24");

            String vxlan = "vxlan: {staticVteps: [{name: vtep-k, address: " + K_VTEP + ", vnis: [10010]}]}";
            Path configA = lab.config("a", lab.agentYaml("a", 1, "\"" + B_VTEP + "\"", vxlan, """
                      - {name: tsf-a10, vlan: {mode: access, tag: 10}}
                      - {name: tsf-a20, vlan: {mode: access, tag: 20}}
                    """));
            configB = lab.config("b", lab.agentYaml("b", 2, "\"" + A_VTEP + "\"", vxlan, """
                      - {name: tsf-b10, vlan: {mode: access, tag: 10}}
                      - {name: tsf-b20, vlan: {mode: access, tag: 20}}
                      - {name: tsf-bv, kind: netdev, vlan: {mode: access, tag: 10}}
                    """));
            long launched = System.nanoTime();
            agentA = lab.startAgent("a", nsA, configA);
            agentB = lab.startAgent("b", nsB, configB);
            apiA = new Api(agentA.awaitApi(Duration.ofSeconds(90)), FabricLab.TOKEN);
            apiB = new Api(agentB.awaitApi(Duration.ofSeconds(90)), FabricLab.TOKEN);
            long apisUp = millisSince(launched);
            lab.moveTap(nsA, HA10.ifname(), host(HA10), HA10.mac(), HA10.ip() + "/24");
            lab.moveTap(nsA, HA20.ifname(), host(HA20), HA20.mac(), HA20.ip() + "/24");
            lab.moveTap(nsB, HB10.ifname(), host(HB10), HB10.mac(), HB10.ip() + "/24");
            lab.moveTap(nsB, HB20.ifname(), host(HB20), HB20.mac(), HB20.ip() + "/24");
            await("a and b see each other up with a tunnel that answers").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> joined(apiA, "b") && joined(apiB, "a"));
            long fabricUp = millisSince(launched);
            record("join", String.format("both agents launched at once; APIs up after %.1f s (cluster joined after"
                            + " %.1f s on a, %.1f s on b, as the agents log it); each shows the other up with its tunnel up"
                            + " %.1f s after launch", apisUp / 1000.0, agentA.joinMillis() / 1000.0,
                    agentB.joinMillis() / 1000.0, fabricUp / 1000.0));
        } catch (Exception | Error e) {
            LOGS.testFailed(null, e);
            stop();
            throw e;
        }
    }

    /** The kernel VTEP of namespace tsf-k, as NOTES-FABRIC builds one, with host tsf-hk behind its bridge. */
    private static void kernelVtep() {
        nsK.exec("ethtool", "-K", "ul0", "tx", "off");
        nsK.exec("ip", "link", "add", "vx10", "type", "vxlan", "id", "10010", "dstport", "4789", "local", K_VTEP, "dev", "ul0");
        nsK.exec("ip", "link", "add", "br0", "type", "bridge");
        nsK.exec("ip", "link", "set", "vx10", "master", "br0");
        nsK.exec("ip", "link", "set", "vx10", "up");
        nsK.exec("ip", "link", "set", "br0", "up");
        nsK.exec("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx10", "dst", A_VTEP);
        nsK.exec("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx10", "dst", B_VTEP);
        nsK.exec("ip", "link", "add", "hk0", "type", "veth", "peer", "name", "eth0", "netns", host(HK).name());
        nsK.exec("ip", "link", "set", "hk0", "master", "br0");
        nsK.exec("ip", "link", "set", "hk0", "up");
        host(HK).configure("eth0", HK.mac(), HK.ip() + "/24", null);
    }

    @AfterAll
    static void stop() {
        try {
            if (lab != null) {
                lab.close();
                List<String> left = lab.leftovers();
                if (!left.isEmpty()) {
                    System.out.println("FabricIT: left behind after the cleanup: " + left);
                }
            }
        } finally {
            lab = null;
            System.out.println("FabricIT: measured on this run:");
            measured.forEach((k, v) -> System.out.println("FabricIT:   " + k + ": " + v));
        }
    }

    private static Netns host(Host h) {
        return hosts.get(h);
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static void record(String what, String value) {
        measured.put(what, value);
        System.out.println("FabricIT: " + what + ": " + value);
    }

    /** Whether {@code api}'s agent shows {@code peer} up, a member, with a tunnel port whose health is up. */
    private static boolean joined(Api api, String peer) {
        JsonNode h = api.hostOrNull(peer);
        return h != null && "up".equals(h.path("state").asText()) && h.path("member").asBoolean()
                && "up".equals(h.path("tunnel").asText()) && ("vtep-" + peer).equals(h.path("port").asText())
                && h.path("reachable").asBoolean();
    }

    private static boolean pings(Host from, String to, int count) {
        CommandResult r = host(from).run("ping", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", to);
        return r.output().contains(" " + count + " received");
    }

    private static void assertPings(Host from, String to, int count) {
        CommandResult r = host(from).run("ping", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", to);
        assertThat(r.output()).as("%s -> %s", from.ns(), to).contains(" " + count + " received");
    }

    private static long counter(JsonNode stats, String group, String reason) {
        return stats.path(group).path(reason).asLong(0);
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void everyAgentShowsTheWholeFabricThroughItsApiCliAndEvents() throws Exception {
        JsonNode fabric = apiA.fabric();
        assertThat(fabric.path("host").asText()).isEqualTo("a");
        assertThat(fabric.path("clustered").asBoolean()).isTrue();
        JsonNode b = apiA.host("b").orElseThrow();
        assertThat(b.path("vtep").asText()).isEqualTo(B_VTEP + ":4789");
        assertThat(b.path("vlans").asText()).isEqualTo("10,20");
        assertThat(b.path("vnis")).extracting(JsonNode::asInt).containsExactly(10010, 10020);
        assertThat(b.path("rttMicros").asLong()).as("a probe's round trip").isPositive();
        assertThat(b.path("apiUrl").asText()).isEqualTo("http://" + B_VTEP + ":18080");
        assertThat(b.path("summary").path("name").asText()).as("b's own account, asked over the event bus").isEqualTo("tsf-b");
        JsonNode self = apiA.host("a").orElseThrow();
        assertThat(self.path("self").asBoolean()).isTrue();
        assertThat(fabric.path("staticVteps")).anySatisfy(v -> {
            assertThat(v.path("port").asText()).isEqualTo("vtep-k");
            assertThat(v.path("remote").asText()).isEqualTo(K_VTEP + ":4789");
            assertThat(v.path("vlans").asText()).isEqualTo("10");
        });
        assertThat(apiA.portNames()).contains("vxlan0", "vtep-b", "vtep-k");
        assertThat(apiB.portNames()).contains("vxlan0", "vtep-a", "vtep-k");

        // Any agent answers for the others: b's ports, asked through a.
        JsonNode bPorts = apiA.get("/hosts/b/ports");
        List<String> names = new ArrayList<>();
        bPorts.path("ports").forEach(p -> names.add(p.path("name").asText()));
        assertThat(names).contains("tsf-b10", "tsf-b20", "tsf-bv", "vtep-a", "vtep-k");

        // The CLI, as a user types it.
        CliRun.Result cli = CliRun.run("ctl", "--url=" + apiA.root(), "--token=" + FabricLab.TOKEN, "fabric");
        System.out.print(cli.out());
        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(cli.out().lines()).anyMatch(l -> l.startsWith("a (this)"));
        assertThat(cli.out().lines()).anyMatch(l -> l.matches("b\\s+up\\s+member\\s+up\\s+.*" + Pattern.quote(B_VTEP + ":4789")
                + "\\s+10,20\\s+vtep-b.*"));
        assertThat(cli.out()).contains("vtep-k").contains(K_VTEP + ":4789");

        // One event stream carries every host's events, each with its host.
        List<JsonNode> events = apiA.events(Duration.ofMillis(2500));
        Set<String> from = new TreeSet<>();
        events.forEach(e -> from.add(e.path("host").asText()));
        assertThat(from).as("hosts of the events in a's stream").contains("a", "b");
    }

    /** Issue test 1: ping and 8 MB of TCP both ways on VLAN 10, from hosts whose TAPs hand over GSO frames. */
    @Test
    @Order(2)
    void vlan10PingsAndTcpCrossBothWaysWithGsoFramesSegmentedForTheUnderlay() throws Exception {
        assertPings(HA10, HB10.ip(), 3);
        assertPings(HB10, HA10.ip(), 3);
        JsonNode learned = apiA.fdbEntry(HB10.mac()).orElseThrow();
        assertThat(learned.path("port").asText()).isEqualTo("vtep-b");
        assertThat(learned.path("host").asText()).isEqualTo("b");
        assertThat(learned.path("vlan").asInt()).isEqualTo(10);
        JsonNode remoteFdb = apiA.get("/hosts/b/fdb");
        assertThat(remoteFdb.path("entries")).as("b's MAC table, asked through a").anySatisfy(e -> {
            assertThat(e.path("mac").asText()).isEqualTo(HA10.mac());
            assertThat(e.path("port").asText()).isEqualTo("vtep-a");
            assertThat(e.path("host").asText()).isEqualTo("a");
        });
        assertThat(host(HA10).exec("ethtool", "-k", HA10.ifname())).containsPattern("tcp-segmentation-offload: on");
        assertThat(host(HB10).exec("ethtool", "-k", HB10.ifname())).containsPattern("tcp-segmentation-offload: on");

        tcpWithGso(apiA, "vtep-b", HA10, HB10, 5001);
        tcpWithGso(apiB, "vtep-a", HB10, HA10, 5002);
    }

    /**
     * 8 MB from {@code from} to {@code to}, digests compared; the sending agent's tunnel port must
     * have taken frames larger than a wire's (GSO super-frames, which it cut to the underlay).
     */
    private static void tcpWithGso(Api sender, String vtep, Host from, Host to, int port) throws Exception {
        JsonNode before = sender.stats(vtep);
        long millis = transfer(host(from), host(to), to.ip(), port);
        JsonNode after = sender.stats(vtep);
        long packets = after.path("txPackets").asLong() - before.path("txPackets").asLong();
        long bytes = after.path("txBytes").asLong() - before.path("txBytes").asLong();
        long average = bytes / Math.max(1, packets);
        record("tcp " + from.ns() + " -> " + to.ip(), String.format("8 MiB, sha-256 equal, %d ms; %s took %d frames,"
                + " %d bytes on average", millis, vtep, packets, average));
        assertThat(average).as("the TAP handed over GSO super-frames (%d bytes in %d frames)", bytes, packets)
                .isGreaterThan(1514);
        for (String reason : List.of("DROP_TOO_BIG_FOR_UNDERLAY", "DROP_OFFLOAD_UNSUPPORTED")) {
            assertThat(counter(after, "txDrops", reason) - counter(before, "txDrops", reason)).as(reason).isZero();
        }
    }

    /** Sends 8 MiB from {@code from} to a listener in {@code to}, compares SHA-256 digests, returns the time taken. */
    static long transfer(Netns from, Netns to, String toAddress, int port) throws Exception {
        Path dir = Files.createTempDirectory("tsf-tcp");
        Path sent = dir.resolve("sent.bin");
        Path received = dir.resolve("received.bin");
        byte[] data = new byte[8 * 1024 * 1024];
        new Random(port).nextBytes(data);
        Files.write(sent, data);
        Process server = null;
        try {
            server = new ProcessBuilder(to.inside("nc", "-l", "-p", Integer.toString(port)))
                    .redirectOutput(received.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Listening.awaitTcp(to, port);
            long began = System.nanoTime();
            Process client = new ProcessBuilder(from.inside("nc", "-N", toAddress, Integer.toString(port)))
                    .redirectInput(sent.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("client finished").isTrue();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("server finished").isTrue();
            long millis = millisSince(began); // until the receiver has it all and saw the end
            assertThat(Files.size(received)).isEqualTo(data.length);
            assertThat(sha256(received)).isEqualTo(sha256(sent));
            return millis;
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            Files.deleteIfExists(sent);
            Files.deleteIfExists(received);
            Files.deleteIfExists(dir);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** Issue test 2: the VLAN 20 hosts, listening during VLAN 10's traffic, see only VLAN 20's frames. */
    @Test
    @Order(3)
    void vlan20SeesNoneOfVlan10sFrames() throws Exception {
        List<Capture.Eth> seenA;
        List<Capture.Eth> seenB;
        try (Capture a20 = Capture.start(host(HA20), HA20.ifname());
             Capture b20 = Capture.start(host(HB20), HB20.ifname())) {
            // VLAN 10: unicast both ways, a broadcast from each side, and ARP requests for an absent
            // address (flooded everywhere in VLAN 10, tunnels included).
            assertPings(HA10, HB10.ip(), 3);
            assertPings(HB10, HA10.ip(), 3);
            host(HA10).run("ping", "-b", "-c", "2", "-i", "0.2", "-W", "1", "198.18.77.255");
            host(HB10).run("ping", "-b", "-c", "2", "-i", "0.2", "-W", "1", "198.18.77.255");
            host(HA10).run("ping", "-c", "1", "-W", "1", "198.18.77.99");
            host(HK).run("ping", "-c", "1", "-W", "1", "198.18.77.98");
            // The positive control: VLAN 20 works across hosts while the others talk.
            host(HA20).exec("ip", "neigh", "flush", "all");
            assertPings(HA20, HB20.ip(), 3);
            assertPings(HB20, HA20.ip(), 3);
            seenA = a20.stopEthernet();
            seenB = b20.stopEthernet();
        }
        Set<String> vlan20 = Set.of(HA20.mac(), HB20.mac());
        for (List<Capture.Eth> seen : List.of(seenA, seenB)) {
            assertThat(seen).as("VLAN 20's own traffic reached its hosts").anyMatch(e -> e.protocol() == 1 && e.mentions("198.18.78."));
            assertThat(seen).as("frames in VLAN 20 come from its two hosts only").allMatch(e -> vlan20.contains(e.src()));
            assertThat(seen).as("no VLAN 10 address in VLAN 20").noneMatch(e -> e.mentions("198.18.77."));
        }
        assertThat(seenA).as("b's VLAN 20 host reached a's (ARP and ICMP)").anyMatch(e -> e.src().equals(HB20.mac()));
        assertThat(seenB).anyMatch(e -> e.src().equals(HA20.mac()));
        record("vlan isolation", "VLAN 20 hosts caught " + seenA.size() + " and " + seenB.size()
                + " frames during VLAN 10 traffic, all VLAN 20's own");
    }

    /** Issue test 3: VLAN 10 travels as VNI 10010 and VLAN 20 as VNI 10020 on the underlay, read from the wire. */
    @Test
    @Order(4)
    void theUnderlayCarriesEachVlanInItsMappedVni() throws Exception {
        List<Capture.Outer> wire;
        try (Capture c = Capture.start(null, wireA, "udp", "port", "4789")) {
            long began = System.nanoTime();
            assertPings(HA10, HB10.ip(), 3);
            assertPings(HA20, HB20.ip(), 3);
            assertPings(HA10, HK.ip(), 3);
            // at least one probe round (every 2 s) in the capture
            Thread.sleep(Math.max(0, 2500 - millisSince(began)));
            wire = c.stopUnderlay();
        }
        List<Capture.Outer> data = wire.stream().filter(p -> p.vxlan() && !p.probe()).toList();
        List<Capture.Outer> v10 = data.stream().filter(p -> p.inner() != null && p.inner().mentions("198.18.77.")).toList();
        List<Capture.Outer> v20 = data.stream().filter(p -> p.inner() != null && p.inner().mentions("198.18.78.")).toList();
        assertThat(v10).as("%s", data).hasSizeGreaterThanOrEqualTo(12).allMatch(p -> p.vni() == 10010);
        assertThat(v20).as("%s", data).hasSizeGreaterThanOrEqualTo(6).allMatch(p -> p.vni() == 10020);
        assertThat(v10).as("VNI 10010 to and from the kernel VTEP").anyMatch(p -> p.dst().equals(K_VTEP))
                .anyMatch(p -> p.src().equals(K_VTEP));
        assertThat(data).as("nothing else in the tunnels").allMatch(p -> v10.contains(p) || v20.contains(p));
        List<Capture.Outer> ours = data.stream().filter(p -> p.src().equals(A_VTEP)).toList();
        assertThat(ours).allSatisfy(p -> {
            assertThat(p.vxlanFlags()).isEqualTo(0x08);
            assertThat(p.dontFragment()).as("DF").isTrue();
            assertThat(p.dstPort()).isEqualTo(4789);
            assertThat(p.srcPort()).isBetween(49152, 65535);
        });
        List<Capture.Outer> probes = wire.stream().filter(Capture.Outer::probe).toList();
        assertThat(probes).as("health probes between the agents").isNotEmpty()
                .allMatch(p -> Set.of(A_VTEP, B_VTEP).containsAll(List.of(p.src(), p.dst())));
        record("vni", v10.size() + " VLAN 10 datagrams all VNI 10010, " + v20.size() + " VLAN 20 datagrams all VNI 10020, "
                + probes.size() + " probes on VNI 0xFFFFFF between the agents only");
    }

    /**
     * Issue test 4: one broadcast from a host behind each VTEP (a, b and the kernel's) reaches each
     * other VTEP exactly once, and no VTEP sends it on into a tunnel (nothing comes back to its sender,
     * nothing leaves a VTEP that did not originate it). Captured on the underlay bridge's three ports.
     */
    @Test
    @Order(5)
    void aBroadcastReachesEachRemoteVtepExactlyOnceAndNeverComesBack() throws Exception {
        Map<String, String> wireOf = Map.of(A_VTEP, wireA, B_VTEP, wireB, K_VTEP, wireK);
        Map<Host, String> senders = new LinkedHashMap<>();
        senders.put(HA10, A_VTEP);
        senders.put(HB10, B_VTEP);
        senders.put(HK, K_VTEP);
        Map<String, List<Capture.Outer>> caught = new LinkedHashMap<>();
        List<Capture> captures = new ArrayList<>();
        try {
            for (String vtep : List.of(A_VTEP, B_VTEP, K_VTEP)) {
                captures.add(Capture.start(null, wireOf.get(vtep), "udp", "port", "4789"));
            }
            for (Host h : senders.keySet()) {
                host(h).run("ping", "-b", "-c", "1", "-W", "1", "198.18.77.255");
            }
            List<String> vteps = List.of(A_VTEP, B_VTEP, K_VTEP);
            for (int i = 0; i < 3; i++) {
                caught.put(vteps.get(i), captures.get(i).stopUnderlay());
            }
        } finally {
            for (Capture c : captures) {
                c.close();
            }
        }
        StringBuilder summary = new StringBuilder();
        for (Map.Entry<Host, String> s : senders.entrySet()) {
            Host from = s.getKey();
            String origin = s.getValue();
            Predicate<Capture.Outer> theBroadcast = p -> p.inner() != null && p.inner().broadcast()
                    && p.inner().src().equals(from.mac()) && p.inner().protocol() == 1
                    && "198.18.77.255".equals(p.inner().ipDst());
            assertThat(caught.values().stream().flatMap(List::stream).filter(theBroadcast))
                    .as("%s's broadcast: no VTEP but %s sent it into a tunnel", from.ns(), origin)
                    .allMatch(p -> p.src().equals(origin));
            for (Map.Entry<String, List<Capture.Outer>> c : caught.entrySet()) {
                String vtep = c.getKey();
                // What this VTEP sent or was sent (the bridge may flood a copy past others' ports too).
                List<Capture.Outer> copies = c.getValue().stream().filter(theBroadcast)
                        .filter(p -> p.src().equals(vtep) || p.dst().equals(vtep)).toList();
                if (vtep.equals(origin)) {
                    assertThat(copies).as("%s's broadcast: what %s sent (one copy per remote VTEP), nothing back", from.ns(), vtep)
                            .allMatch(p -> p.src().equals(origin))
                            .extracting(Capture.Outer::dst).containsExactlyInAnyOrderElementsOf(
                                    senders.values().stream().filter(v -> !v.equals(origin)).toList());
                } else {
                    assertThat(copies).as("%s's broadcast on %s's wire: exactly one copy, from %s", from.ns(), vtep, origin)
                            .hasSize(1).allMatch(p -> p.src().equals(origin) && p.dst().equals(vtep) && p.vni() == 10010);
                }
            }
            summary.append(from.ns()).append(": one copy to each of the two other VTEPs; ");
        }
        record("broadcast", summary + "no copy re-sent by any VTEP");
    }

    /** Issue test 5: a's host and the kernel VTEP's host: ping and TCP both ways, and the kernel learns a's MAC against a's VTEP. */
    @Test
    @Order(6)
    void aHostBehindTheKernelVtepTalksWithAsHostAndTheKernelLearnsItsMacViaA() throws Exception {
        assertPings(HA10, HK.ip(), 3);
        assertPings(HK, HA10.ip(), 3);
        assertPings(HB10, HK.ip(), 3);
        String fdb = nsK.exec("bridge", "fdb", "show", "dev", "vx10");
        assertThat(fdb.lines()).as(fdb).anyMatch(l -> l.startsWith(HA10.mac()) && l.contains("dst " + A_VTEP));
        assertThat(fdb.lines()).as(fdb).anyMatch(l -> l.startsWith(HB10.mac()) && l.contains("dst " + B_VTEP));
        JsonNode k = apiA.fdbEntry(HK.mac()).orElseThrow();
        assertThat(k.path("port").asText()).isEqualTo("vtep-k");
        long toK = transfer(host(HA10), host(HK), HK.ip(), 5003);
        long fromK = transfer(host(HK), host(HA10), HA10.ip(), 5004);
        record("kernel vtep", "ping both ways; kernel fdb: " + HA10.mac() + " dst " + A_VTEP + "; 8 MiB a -> k in "
                + toK + " ms and k -> a in " + fromK + " ms, sha-256 equal");
    }

    /** Issue test 6: 1422-byte pings with DF fill a 1500-byte underlay exactly; 1423 bytes are dropped and counted; no fragments. */
    @Test
    @Order(7)
    void dfPingsOf1422BytesPassAndLargerOnesAreDroppedAndCountedWithoutFragments() throws Exception {
        long before = counter(apiA.stats("vtep-b"), "txDrops", "DROP_TOO_BIG_FOR_UNDERLAY");
        List<Capture.Outer> wire;
        try (Capture c = Capture.start(null, wireA, "udp", "or", "(ip[6:2] & 0x3fff != 0)")) {
            CommandResult fits = host(HA10).run("ping", "-M", "do", "-s", "1422", "-c", "3", "-i", "0.2", "-W", "2", HB10.ip());
            assertThat(fits.output()).as("1422 bytes: an inner frame of 1464, a datagram of exactly 1500").contains(" 3 received");
            CommandResult tooBig = host(HA10).run("ping", "-M", "do", "-s", "1423", "-c", "3", "-i", "0.2", "-W", "1", HB10.ip());
            assertThat(tooBig.output()).contains(" 0 received");
            wire = c.stopUnderlay();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(counter(apiA.stats("vtep-b"), "txDrops", "DROP_TOO_BIG_FOR_UNDERLAY") - before).isEqualTo(3));
        assertThat(wire).as("no IP fragment on the underlay").noneMatch(Capture.Outer::fragment);
        assertThat(wire).allMatch(p -> p.ipLength() <= 1500);
        List<Capture.Outer> full = wire.stream().filter(p -> p.ipLength() == 1500 && p.inner() != null
                && p.inner().mentions("198.18.77.")).toList();
        assertThat(full).as("the 1422-byte pings and their replies, 1500 bytes with DF").hasSizeGreaterThanOrEqualTo(6)
                .allMatch(Capture.Outer::dontFragment);
        record("mtu", "1422-byte DF pings: 3/3, datagrams of 1500 bytes; 1423-byte: 0/3, a's vtep-b txDrops"
                + ".DROP_TOO_BIG_FOR_UNDERLAY +3; no fragment among " + wire.size() + " underlay packets");
    }

    /**
     * Issue test 7, the control plane cut: TCP to and from Hazelcast's port and the event bus's
     * between a and b blocked in a's namespace while pings flow. Forwarding goes on; each agent shows
     * the other partitioned (or still up) with its tunnel up; after healing both show each other up
     * and a member within 60 s.
     */
    @Test
    @Order(8)
    void aClusterPartitionKeepsForwardingAndTheViewsConvergeAfterHealing() throws Exception {
        Pinger pinger = Pinger.start(host(HA10), HB10.ip());
        long healedAt;
        try {
            Thread.sleep(1000);
            long cut = System.nanoTime();
            nsA.exec("iptables", "-A", "INPUT", "-p", "tcp", "-s", B_VTEP, "-m", "multiport", "--ports", "5701,5711", "-j", "DROP");
            nsA.exec("iptables", "-A", "OUTPUT", "-p", "tcp", "-d", B_VTEP, "-m", "multiport", "--ports", "5701,5711", "-j", "DROP");
            try {
                // The fabric's verdict (partitioned) comes when adverts stop for 5 s, the cluster's own
                // (member: false) after its heartbeat timeout (5 s).
                Map<String, Long> t = firstTimes(cut, 20, Map.of(
                        "partitioned on a", () -> "partitioned".equals(stateOf(apiA, "b")),
                        "partitioned on b", () -> "partitioned".equals(stateOf(apiB, "a")),
                        "lost on a", () -> memberOf(apiA, "b") == Boolean.FALSE,
                        "lost on b", () -> memberOf(apiB, "a") == Boolean.FALSE));
                long noticedA = t.get("partitioned on a");
                long noticedB = t.get("partitioned on b");
                long lostA = t.get("lost on a");
                long lostB = t.get("lost on b");
                Thread.sleep(2000);
                for (Api api : List.of(apiA, apiB)) {
                    String peer = api == apiA ? "b" : "a";
                    JsonNode h = api.host(peer).orElseThrow();
                    assertThat(h.path("state").asText()).as("%s as seen from the other side", peer).isIn("partitioned", "up");
                    assertThat(h.path("tunnel").asText()).as("the tunnel to %s still answers", peer).isEqualTo("up");
                    assertThat(h.path("port").asText()).isEqualTo("vtep-" + peer);
                    assertThat(api.portNames()).contains("vtep-" + peer);
                }
                assertThat(pinger.lostSoFar()).as("pings lost during the partition").isEmpty();
                record("partition noticed", String.format("state partitioned after %s on a and %s on b; the cluster dropped"
                        + " the member (member: false) after %s on a and %s on b; tunnels up, forwarding on",
                        seconds(noticedA), seconds(noticedB), seconds(lostA), seconds(lostB)));
            } finally {
                nsA.exec("iptables", "-F");
                healedAt = System.nanoTime();
            }
            long converged = awaitMillis(healedAt, 60, () -> joined(apiA, "b") && joined(apiB, "a"));
            assertThat(converged).as("both views up and member within 60 s of healing").isBetween(0L, 60_000L);
            record("partition healed", String.format("both agents show each other up, member, tunnel up, reachable %.1f s"
                    + " after healing", converged / 1000.0));
            Thread.sleep(1000);
        } finally {
            pinger.stop();
        }
        assertThat(pinger.answered()).as("pings answered over the whole test").isGreaterThan(20);
        assertThat(pinger.lost()).as("pings lost while the cluster was cut and healed (of %d)", pinger.answered()).isEmpty();
        record("partition forwarding", pinger.answered() + " pings a -> b every 200 ms during the cut and the heal, none lost");
    }

    /** Issue test 7, the data plane cut: UDP 4789 blocked between a and b while the cluster stays up. */
    @Test
    @Order(9)
    void blockedUdpShowsTheTunnelDownWhileTheClusterStaysUpAndUpAgainAfterwards() throws Exception {
        long cut = System.nanoTime();
        nsA.exec("iptables", "-A", "INPUT", "-p", "udp", "-s", B_VTEP, "--dport", "4789", "-j", "DROP");
        nsA.exec("iptables", "-A", "OUTPUT", "-p", "udp", "-d", B_VTEP, "--dport", "4789", "-j", "DROP");
        long downA;
        long downB;
        long upA;
        long upB;
        try {
            Map<String, Long> t = firstTimes(cut, 10, Map.of(
                    "a", () -> "down".equals(tunnelOf(apiA, "b")),
                    "b", () -> "down".equals(tunnelOf(apiB, "a"))));
            downA = t.get("a");
            downB = t.get("b");
            assertThat(downA).as("a shows b's tunnel down within 10 s").isBetween(0L, 10_000L);
            assertThat(downB).as("b shows a's tunnel down within 10 s").isBetween(0L, 10_000L);
            for (Api api : List.of(apiA, apiB)) {
                JsonNode h = api.host(api == apiA ? "b" : "a").orElseThrow();
                assertThat(h.path("state").asText()).as("the cluster still has the peer").isEqualTo("up");
                assertThat(h.path("member").asBoolean()).isTrue();
            }
            assertThat(pings(HA10, HB10.ip(), 2)).as("the data plane really is cut").isFalse();
        } finally {
            nsA.exec("iptables", "-F");
        }
        long open = System.nanoTime();
        Set<String> onTheWay = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Map<String, Long> t = firstTimes(open, 15, Map.of(
                "a", () -> seen(onTheWay, "a", tunnelOf(apiA, "b")),
                "b", () -> seen(onTheWay, "b", tunnelOf(apiB, "a"))));
        upA = t.get("a");
        upB = t.get("b");
        assertThat(upA).as("a shows b's tunnel up again").isNotNegative();
        assertThat(upB).as("b shows a's tunnel up again").isNotNegative();
        assertPings(HA10, HB10.ip(), 3);
        record("udp blocked", String.format("tunnel down after %s on a and %s on b (cluster state up, member); up again %s"
                + " and %s after unblocking (health seen on the way: %s)", seconds(downA), seconds(downB), seconds(upA),
                seconds(upB), onTheWay));
    }

    /** Notes {@code health} as seen from {@code side}, and whether it is {@code up}. */
    private static boolean seen(Set<String> seen, String side, String health) {
        seen.add(side + ":" + health);
        return "up".equals(health);
    }

    /** Issue test 7: kill -9 of agent b; within 10 s a has marked it down, removed its tunnel port and flushed its MACs. */
    @Test
    @Order(10)
    void aKilledAgentIsMarkedDownItsPortRemovedAndItsMacsFlushedWithinTenSeconds() throws Exception {
        assertPings(HA10, HB10.ip(), 1);
        assertPings(HA10, HBV.ip(), 1);
        assertPings(HA20, HB20.ip(), 1);
        List<String> bMacs = List.of(HB10.mac(), HB20.mac(), HBV.mac());
        assertThat(apiA.fdb()).as("b's hosts learned on a").filteredOn(e -> bMacs.contains(e.path("mac").asText()))
                .hasSize(3).allMatch(e -> e.path("host").asText().equals("b") && e.path("port").asText().equals("vtep-b"));

        long killed = System.nanoTime();
        agentB.kill();
        long lost = -1;
        long down = -1;
        long portGone = -1;
        long macsGone = -1;
        long deadline = killed + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && (down < 0 || portGone < 0 || macsGone < 0 || lost < 0)) {
            JsonNode b = apiA.host("b").orElse(null);
            long now = millisSince(killed);
            if (lost < 0 && b != null && !b.path("member").asBoolean()) {
                lost = now;
            }
            if (down < 0 && b != null && "down".equals(b.path("state").asText())) {
                down = now;
            }
            if (portGone < 0 && !apiA.portNames().contains("vtep-b")) {
                portGone = now;
            }
            if (macsGone < 0 && apiA.fdb().stream().noneMatch(e -> bMacs.contains(e.path("mac").asText()))) {
                macsGone = now;
            }
            Thread.sleep(100);
        }
        record("kill -9 of b", String.format("a: member false after %s, state down after %s, vtep-b removed after %s,"
                + " b's MACs gone after %s", seconds(lost), seconds(down), seconds(portGone), seconds(macsGone)));
        assertThat(lost).as("the cluster noticed").isBetween(0L, 10_000L);
        assertThat(down).as("b down on a").isBetween(0L, 10_000L);
        assertThat(portGone).as("vtep-b gone from a's ports (out of every flood list)").isBetween(0L, 10_000L);
        assertThat(macsGone).as("b's MACs flushed from a's table").isBetween(0L, 10_000L);
        JsonNode b = apiA.host("b").orElseThrow();
        assertThat(b.path("tunnel").asText()).isEqualTo("down");
        assertThat(b.path("port").isNull()).isTrue();
        assertThat(apiA.portNames()).as("the static VTEP stays").contains("vtep-k");
        assertPings(HA10, HK.ip(), 2);
    }

    /** Issue test 7: b started again on the same configuration; traffic from a's host to b's veth host is back within 30 s with no manual step. */
    @Test
    @Order(11)
    void aRestartedAgentForwardsAgainWithinThirtySeconds() throws Exception {
        long restarted = System.nanoTime();
        agentB = lab.startAgent("b", nsB, configB);
        long back = -1;
        long deadline = restarted + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            if (host(HA10).run("ping", "-c", "1", "-W", "1", HBV.ip()).output().contains(" 1 received")) {
                back = millisSince(restarted);
                break;
            }
            assertThat(agentB.alive()).as("restarted agent running:\n%s", agentB.log()).isTrue();
            Thread.sleep(200);
        }
        long fabricUp = awaitMillis(restarted, 40, () -> joined(apiA, "b") && joined(apiB, "a"));
        record("restart of b", String.format("ping a -> b's veth host answered %s after the restart was launched (b's"
                + " cluster join took %s as it logs it); both views up with tunnels up after %s", seconds(back),
                seconds(agentB.joinMillis()), seconds(fabricUp)));
        assertThat(back).as("traffic back within 30 s").isBetween(0L, 30_000L);
        assertThat(apiA.portNames()).contains("vtep-b");
        assertPings(HBV, HA10.ip(), 3);
    }

    /** Issue test 9: stopped agents remove their TAPs; then no namespace, interface or process of the lab remains. */
    @Test
    @Order(12)
    void nothingIsLeftBehind() throws Exception {
        List<AgentProcess> all = lab.agents();
        Map<String, Integer> exits = new LinkedHashMap<>();
        for (AgentProcess a : all) {
            if (a.alive()) {
                exits.put(a.name() + " pid " + a.pid(), a.stop());
            }
        }
        assertThat(all).noneMatch(AgentProcess::alive);
        assertThat(FabricLab.links(host(HA10))).as("a removed its TAPs on SIGTERM, wherever they were").doesNotContain(HA10.ifname());
        assertThat(FabricLab.links(host(HA20))).doesNotContain(HA20.ifname());
        assertThat(FabricLab.links(nsB)).as("the restarted b removed the TAPs it made").doesNotContain(HB10.ifname(), HB20.ifname());
        assertThat(FabricLab.links(nsB)).as("a netdev port is not the switch's to remove").contains("tsf-bv");
        FabricLab done = lab;
        lab = null;
        done.close();
        assertThat(done.leftovers()).as("left behind").isEmpty();
        record("cleanup", "agents stopped on SIGTERM (exit " + exits + "); no namespace, interface or process left");
    }

    // ---------------------------------------------------------------------------------------------

    private static String stateOf(Api api, String peer) {
        JsonNode h = api.hostOrNull(peer);
        return h == null ? null : h.path("state").asText();
    }

    private static String tunnelOf(Api api, String peer) {
        JsonNode h = api.hostOrNull(peer);
        return h == null ? null : h.path("tunnel").asText();
    }

    private static Boolean memberOf(Api api, String peer) {
        JsonNode h = api.hostOrNull(peer);
        return h == null ? null : h.path("member").asBoolean();
    }

    /** Polls {@code condition} every 100 ms for up to {@code seconds}; returns the milliseconds since {@code from} when it held, or -1. */
    private static long awaitMillis(long from, int seconds, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return millisSince(from);
            }
            Thread.sleep(100);
        }
        return -1;
    }

    /**
     * Polls every condition every 100 ms until all held once or {@code seconds} passed; returns, per
     * name, the milliseconds since {@code from} when it first held (-1: never).
     */
    private static Map<String, Long> firstTimes(long from, int seconds, Map<String, java.util.function.BooleanSupplier> conditions)
            throws InterruptedException {
        Map<String, Long> out = new LinkedHashMap<>();
        conditions.keySet().forEach(k -> out.put(k, -1L));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && out.containsValue(-1L)) {
            for (Map.Entry<String, java.util.function.BooleanSupplier> c : conditions.entrySet()) {
                if (out.get(c.getKey()) < 0 && c.getValue().getAsBoolean()) {
                    out.put(c.getKey(), millisSince(from));
                }
            }
            Thread.sleep(100);
        }
        return out;
    }

    private static String seconds(long millis) {
        return millis < 0 ? "never" : String.format("%.1f s", millis / 1000.0);
    }

    /** A ping running in the background every 200 ms, with {@code -O} so that every unanswered request is reported. */
    static final class Pinger {
        private static final Pattern REPLY = Pattern.compile("bytes from .* icmp_seq=(\\d+)");
        private static final Pattern NO_ANSWER = Pattern.compile("no answer yet for icmp_seq=(\\d+)");
        private final Process process;
        private final Path output;

        private Pinger(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        static Pinger start(Netns from, String to) throws Exception {
            Path out = Files.createTempFile("tsf-ping", ".txt");
            Process p = new ProcessBuilder(from.inside("ping", "-O", "-i", "0.2", "-W", "1", to))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            return new Pinger(p, out);
        }

        private Set<Integer> seqs(Pattern p) {
            Set<Integer> out = new TreeSet<>();
            try {
                Matcher m = p.matcher(Files.readString(output));
                while (m.find()) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out;
        }

        int answered() {
            return seqs(REPLY).size();
        }

        /** Requests reported unanswered that no late reply answered either. */
        Set<Integer> lostSoFar() {
            Set<Integer> lost = seqs(NO_ANSWER);
            lost.removeAll(seqs(REPLY));
            return lost;
        }

        /** The requests lost, once stopped: unanswered ones before the last answer. */
        Set<Integer> lost() {
            Set<Integer> replies = seqs(REPLY);
            int last = replies.isEmpty() ? 0 : ((TreeSet<Integer>) replies).last();
            Set<Integer> lost = new TreeSet<>();
            for (int seq = 1; seq < last; seq++) {
                if (!replies.contains(seq)) {
                    lost.add(seq);
                }
            }
            return lost;
        }

        /** Stops the ping; what it printed stays readable. */
        void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            output.toFile().deleteOnExit();
        }
    }
}
