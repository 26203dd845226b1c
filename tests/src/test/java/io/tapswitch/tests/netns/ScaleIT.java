package io.tapswitch.tests.netns;

import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.vlan.VlanConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One agent with 64 namespace hosts, each on its own TAP port: every host pings eight others (a
 * ping mesh, 512 pairs, all of which must be answered), and the agent's thread count must not grow
 * with its ports. With a thread per port, 64 ports cost 64 threads; issue 15 puts every port on a
 * small, fixed number of event loops, so attaching 62 more ports may add no more than
 * {@link #THREAD_ALLOWANCE} threads. That check fails on a thread-per-port datapath by design.
 *
 * <p>The agent runs in the test's JVM, as in the other namespace tests, and its ports are added
 * through its control plane, as the API adds them. Its threads are read through the JVM's
 * {@link java.lang.management.ThreadMXBean}, leaving out the pools that grow with the commands the
 * test runs at once (the JDK's process reapers, HostCommand's output readers) and its ping workers.
 *
 * <p>Hosts are {@code tssc-h1}..{@code tssc-h64}, namespaces named like the ports whose netdevs
 * they hold, at 198.18.72.1–64/24. Closing the switch removes the TAPs; the namespaces go after it,
 * also when a test fails; the last test checks that no namespace, link, thread or descriptor is
 * left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleIT {
    private static final String PREFIX = "tssc";
    private static final int HOSTS = 64;
    /** Hosts attached before the thread baseline is taken: whatever the agent starts lazily on its
     * first ports and first frames is then counted in the baseline, not against the other 62. */
    private static final int FIRST_HOSTS = 2;
    /** Peers each host pings: host i pings i + 1, i + 8, i + 15, ... (mod 64), eight distinct others. */
    private static final int PEERS = 8;
    private static final int PEER_STRIDE = 7;
    private static final int PARALLEL_PINGS = 16;
    /** Threads that attaching 62 ports may add: a constant of the design (loops), never one per port. */
    private static final int THREAD_ALLOWANCE = 8;
    private static final String PING_THREAD = PREFIX + "-ping-";
    /**
     * Pools that grow with the number of commands run at once, not with ports: the JDK's process
     * reapers and HostCommand's output readers (the test runs 16 pings at a time through it).
     */
    private static final Set<String> HELPER_THREADS = Set.of("process reaper", "host-command-output");

    private static NsSwitch lab;
    private static final List<Netns> hosts = new ArrayList<>();
    private static List<String> threadsBefore;
    private static List<String> threadsAttached;
    private static List<String> fdsBefore;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        // One throw-away switch with one host first, so that what the JVM opens once and keeps (JNA's
        // stub, /dev/urandom, Vert.x's first socket) is in the descriptor baseline.
        try (NsSwitch warmUp = new NsSwitch(PREFIX)) {
            warmUp.host("w1", VlanConfig.DEFAULT, mac(1), null);
        }
        fdsBefore = fdTargets();
        lab = new NsSwitch(PREFIX);
        long started = System.nanoTime();
        for (int i = 1; i <= FIRST_HOSTS; i++) {
            hosts.add(lab.host("h" + i, VlanConfig.DEFAULT, mac(i), ipv4(i) + "/24"));
        }
        assertThat(ping(1, 2).output()).as("the first two hosts reach each other").contains("2 received");
        threadsBefore = agentThreads();
        for (int i = FIRST_HOSTS + 1; i <= HOSTS; i++) {
            hosts.add(lab.host("h" + i, VlanConfig.DEFAULT, mac(i), ipv4(i) + "/24"));
        }
        threadsAttached = agentThreads();
        System.out.printf("ScaleIT: %d hosts attached in %.1f s; threads %d with %d ports, %d with %d%n", HOSTS,
                (System.nanoTime() - started) / 1e9, threadsBefore.size(), FIRST_HOSTS, threadsAttached.size(), HOSTS);
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
            lab = null;
        }
        hosts.forEach(Netns::close);
        hosts.clear();
    }

    @Test
    @Order(1)
    void everyHostReachesEightOthers() throws Exception {
        long started = System.nanoTime();
        AtomicInteger workers = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_PINGS, r -> {
            Thread t = new Thread(r, PING_THREAD + workers.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Map<String, Future<CommandResult>> pings = new TreeMap<>();
        try {
            for (int a = 1; a <= HOSTS; a++) {
                for (int k = 0; k < PEERS; k++) {
                    int from = a;
                    int to = peer(a, k);
                    pings.put(String.format("h%02d -> h%02d", from, to), pool.submit(() -> ping(from, to)));
                }
            }
            Map<String, String> failed = new TreeMap<>();
            for (Map.Entry<String, Future<CommandResult>> ping : pings.entrySet()) {
                String output = ping.getValue().get(60, TimeUnit.SECONDS).output();
                if (!output.contains("2 received")) {
                    failed.put(ping.getKey(), output.lines().filter(l -> l.contains("transmitted"))
                            .findFirst().orElse(output.strip()));
                }
            }
            System.out.printf("ScaleIT: %d pings between %d hosts in %.1f s%n", pings.size(), HOSTS,
                    (System.nanoTime() - started) / 1e9);
            assertThat(pings).hasSize(HOSTS * PEERS);
            assertThat(failed).as("pairs that were not answered twice; each one retried alone, and the switch's"
                    + " counters of both ports then: %s", diagnose(failed.keySet())).isEmpty();
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(2)
    void theSwitchLearnedEveryHostOnItsOwnPort() {
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(lab.sw().view().fdb().lookup(0, MacAddress.parse(mac(i))))
                    .as("port of host %d's MAC", i).isEqualTo(lab.portId("h" + i));
        }
    }

    @Test
    @Order(3)
    void threadsDoNotGrowWithPorts() {
        List<String> now = agentThreads();
        assertThat(threadsAttached.size() - threadsBefore.size())
                .as("threads added by attaching %d more ports: %s (before, with %d ports: %s)", HOSTS - FIRST_HOSTS,
                        byName(minus(threadsAttached, threadsBefore)), FIRST_HOSTS, byName(threadsBefore))
                .isLessThanOrEqualTo(THREAD_ALLOWANCE);
        assertThat(now.size() - threadsBefore.size())
                .as("threads added by %d ports and a ping mesh: %s", HOSTS - FIRST_HOSTS, byName(minus(now, threadsBefore)))
                .isLessThanOrEqualTo(THREAD_ALLOWANCE);
    }

    @Test
    @Order(4)
    void closingLeavesNothingBehind() throws Exception {
        lab.close();
        lab = null;
        hosts.forEach(Netns::close);
        hosts.clear();
        String namespaces = HostCommand.check("ip", "netns", "list").output();
        assertThat(namespaces.lines().map(l -> l.split("\\s+")[0])).noneMatch(n -> n.startsWith(PREFIX + "-"));
        String links = HostCommand.check("ip", "-o", "link", "show").output();
        assertThat(links.lines()).noneMatch(l -> l.contains(" " + PREFIX + "-"));
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(agentThreads()).noneMatch(t -> t.startsWith("tapswitch-") || t.startsWith("vert.x-"));
            List<String> fds = fdTargets();
            assertThat(fds.size()).as("open fds now %s, before %s", fds, fdsBefore).isLessThanOrEqualTo(fdsBefore.size());
        });
    }

    /**
     * For failed pairs ("hAA -> hBB"): whether a ping alone gets through now, and the counters of both
     * ports, so that a failure says whether frames were lost in the switch, refused by it, or never
     * reached it.
     */
    private static List<String> diagnose(Iterable<String> pairs) {
        List<String> notes = new ArrayList<>();
        for (String pair : pairs) {
            String[] hosts = pair.split(" -> ");
            int from = Integer.parseInt(hosts[0].substring(1));
            int to = Integer.parseInt(hosts[1].substring(1));
            boolean answered = ping(from, to).output().contains("2 received");
            notes.add(pair + (answered ? " (answered when retried)" : " (not answered when retried)")
                    + "; " + counters(from) + "; " + counters(to));
        }
        return notes;
    }

    private static String counters(int host) {
        PortStats s = lab.port("h" + host).stats();
        return String.format("port h%d rx %d tx %d rxErrors %d txErrors %d drops %d", host, s.rxPackets(), s.txPackets(),
                s.rxErrors(), s.txErrors(), s.drops());
    }

    private static String mac(int i) {
        return String.format("02:74:73:63:00:%02x", i);
    }

    private static String ipv4(int i) {
        return "198.18.72." + i;
    }

    /** The k-th host that host {@code a} pings (1-based hosts; never {@code a} itself). */
    private static int peer(int a, int k) {
        return (a + k * PEER_STRIDE) % HOSTS + 1;
    }

    private static CommandResult ping(int from, int to) {
        return hosts.get(from - 1).run("ping", "-c", "2", "-i", "0.2", "-W", "3", ipv4(to));
    }

    /** Names of the JVM's live threads that belong to the agent (or anything else but the test's helpers). */
    private static List<String> agentThreads() {
        return Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
                .map(ThreadInfo::getThreadName)
                .filter(n -> !HELPER_THREADS.contains(n) && !n.startsWith(PING_THREAD))
                .sorted()
                .toList();
    }

    private static List<String> minus(List<String> after, List<String> before) {
        List<String> added = new ArrayList<>(after);
        before.forEach(added::remove);
        return added;
    }

    /** Thread names grouped with their numbers masked, e.g. {tapswitch-port-#=62}. */
    private static Map<String, Long> byName(List<String> names) {
        return names.stream().collect(Collectors.groupingBy(n -> n.replaceAll("\\d+", "#"), TreeMap::new,
                Collectors.counting()));
    }

    /** Descriptors a switch could leak; jar files the JVM opens to load classes are not the switch's. */
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
}
