package io.tapswitch.tests.reliability;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.StormSpec;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A loop made outside the switch: two of its TAP ports enslaved to one Linux bridge, so that every
 * flooded frame comes back in through the other port, for ever. One broadcast starts a storm;
 * while it rages, the control plane (the switch's own calls and the agent's REST API) must answer
 * promptly. Turning storm control on must end the storm, counted as DROP_STORM_CONTROL; a second
 * broadcast with storm control on must die out by itself; and once the bridge is deleted the two
 * hosts must reach each other again.
 *
 * <p>The hosts have IPv6 off and stay silent while the loop exists: a host frame flooded into the
 * loop would move the host's MAC onto the loop ports, and unicast towards it would then circle
 * too, which storm control (a limit on floods) does not stop; only STP would, and the switch has
 * none. Everything is bounded in time, and the bridge is deleted first on cleanup.
 */
class StormLoopIT {
    private static final String PREFIX = "tsrs";
    private static final String BRIDGE = PREFIX + "-br";
    private static final StormSpec LIMITS = new StormSpec(200, 200, 200);
    private static Agent agent;
    private static final List<Netns> hosts = new ArrayList<>();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static String name(String suffix) {
        return PREFIX + "-" + suffix;
    }

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        List<PortSpec> ports = new ArrayList<>();
        for (String p : List.of("h1", "h2", "l1", "l2")) {
            ports.add(new PortSpec(name(p), PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.CREATE, false, true));
        }
        agent = Agent.start(new AgentConfig(PREFIX, null, null, HttpSpec.EPHEMERAL, ports, null, null));
        for (int i = 1; i <= 2; i++) {
            Netns ns = Netns.create(name("h" + i));
            hosts.add(ns);
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
            ns.adopt(name("h" + i));
            ns.configure(name("h" + i), "02:00:00:05:00:0" + i, "198.18.5." + i + "/24", null);
        }
        for (String l : List.of("l1", "l2")) {
            HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + name(l) + ".disable_ipv6=1");
        }
        assertThat(FaultLab.pings(hosts.get(0), "198.18.5.2", 2)).as("h1 -> h2 before the loop").isTrue();
        // silence: every neighbour known, nothing the hosts send from now on is flooded
        hosts.get(0).exec("ip", "neigh", "replace", "198.18.5.2", "lladdr", "02:00:00:05:00:02", "dev", name("h1"),
                "nud", "permanent");
        hosts.get(1).exec("ip", "neigh", "replace", "198.18.5.1", "lladdr", "02:00:00:05:00:01", "dev", name("h2"),
                "nud", "permanent");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            deleteBridge();
            if (agent != null) {
                agent.close();
            }
        } finally {
            hosts.forEach(Netns::close);
        }
    }

    private static void deleteBridge() {
        if (NetDevice.exists(BRIDGE)) {
            HostCommand.run(List.of("ip", "link", "del", BRIDGE));
        }
    }

    private static SwitchPort port(String suffix) {
        SwitchView sw = agent.view();
        return sw.topology().port(sw.topology().idOf(name(suffix)));
    }

    private static long loopFrames() {
        return port("l1").stats().rxPackets() + port("l2").stats().rxPackets();
    }

    private static long stormDrops() {
        return port("l1").stats().decisions(Reason.DROP_STORM_CONTROL) + port("l2").stats().decisions(Reason.DROP_STORM_CONTROL);
    }

    @Test
    void stormControlEndsALoopStormAndForwardingResumesWithoutTheLoop() throws Exception {
        HostCommand.check("ip", "link", "add", BRIDGE, "type", "bridge", "stp_state", "0");
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + BRIDGE + ".disable_ipv6=1");
        HostCommand.check("ip", "link", "set", "dev", name("l1"), "master", BRIDGE);
        HostCommand.check("ip", "link", "set", "dev", name("l2"), "master", BRIDGE);
        HostCommand.check("ip", "link", "set", "dev", BRIDGE, "up");
        try {
            // warm: the first calls load classes and compile, which says nothing about a storm
            Latencies calm = measureControlPlane(1000);
            System.out.println("StormLoopIT: control plane before the storm: " + calm);

            // 1. no storm control: one broadcast circles for ever
            long before = loopFrames();
            broadcast();
            Latencies during = measureControlPlane(2000);
            long stormFrames = loopFrames() - before;
            System.out.printf("StormLoopIT: loop without storm control: %d frames in the loop in %.1f s (%.0f/s)%n",
                    stormFrames, during.seconds, stormFrames / during.seconds);
            System.out.println("StormLoopIT: control plane during the storm: " + during);
            assertThat(stormFrames).as("frames circling the loop in 2 s").isGreaterThan(10_000);
            during.assertResponsive();

            // 2. storm control on the loop ports ends it
            long drops0 = stormDrops();
            long t0 = System.nanoTime();
            agent.controlPlane().submit(new Change.SetStorm(name("l1"), LIMITS), null);
            agent.controlPlane().submit(new Change.SetStorm(name("l2"), LIMITS), null);
            long endedMillis = awaitQuiet(5000);
            System.out.printf("StormLoopIT: storm control on: storm over after %d ms, %d frames dropped by it%n",
                    endedMillis, stormDrops() - drops0);
            assertThat(endedMillis).as("ms until the loop went quiet (-1: never)").isBetween(0L, 5000L);
            assertThat(stormDrops() - drops0).as("DROP_STORM_CONTROL").isPositive();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);

            // 3. with storm control on, a new broadcast dies out by itself
            long before2 = loopFrames();
            long drops1 = stormDrops();
            broadcast();
            Latencies after = measureControlPlane(1000);
            long quiet = awaitQuiet(5000);
            long frames2 = loopFrames() - before2;
            System.out.printf("StormLoopIT: broadcast with storm control on: %d frames in the loop, %d storm drops,"
                    + " quiet after %d ms; control plane: %s%n", frames2, stormDrops() - drops1, quiet, after);
            assertThat(quiet).isBetween(0L, 5000L);
            assertThat(frames2).as("frames one broadcast made with limits of 200/s").isLessThan(5_000);
            assertThat(stormDrops() - drops1).isPositive();
            after.assertResponsive();
        } finally {
            deleteBridge();
        }

        // 4. without the loop, the hosts reach each other again
        long t1 = System.nanoTime();
        Netns h1 = hosts.get(0);
        while (!FaultLab.pings(h1, "198.18.5.2", 1)) {
            assertThat(System.nanoTime() - t1).as("h1 reaches h2 within 20 s of the loop's removal")
                    .isLessThan(TimeUnit.SECONDS.toNanos(20));
        }
        assertThat(FaultLab.pings(hosts.get(1), "198.18.5.1", 3)).as("h2 -> h1").isTrue();
        System.out.printf("StormLoopIT: forwarding back %d ms after the bridge was deleted%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
    }

    /** One broadcast of a local experimental EtherType from a MAC no host has, sent by the bridge into both loop ports. */
    private static void broadcast() throws Exception {
        try (PacketPort bridge = PacketPort.open(BRIDGE, false)) {
            byte[] bytes = new byte[60];
            for (int i = 0; i < 6; i++) {
                bytes[i] = (byte) 0xff;
            }
            byte[] src = {0x02, 0x00, 0x00, 0x05, 0x00, (byte) 0xbb};
            System.arraycopy(src, 0, bytes, 6, 6);
            bytes[12] = (byte) 0x88;
            bytes[13] = (byte) 0xb5;
            Frame frame = new Frame(4);
            frame.load(bytes);
            assertThat(bridge.send(frame)).as("broadcast sent").isZero();
        }
    }

    /** Milliseconds until the loop ports read nothing for 500 ms, or -1 if that does not happen within {@code limit}. */
    private static long awaitQuiet(long limit) throws InterruptedException {
        long start = System.nanoTime();
        long last = loopFrames();
        long lastChange = start;
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(limit)) {
            Thread.sleep(50);
            long now = loopFrames();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange >= TimeUnit.MILLISECONDS.toNanos(500)) {
                return TimeUnit.NANOSECONDS.toMillis(lastChange - start);
            }
        }
        return -1;
    }

    /** Times of control-plane calls, in ms. */
    record Latencies(double seconds, List<Double> configure, List<Double> fdb, List<Double> rest) {
        void assertResponsive() {
            assertThat(median(configure)).as("median control-plane change ms").isLessThan(100);
            assertThat(median(fdb)).as("median fdb().entries() ms").isLessThan(100);
            assertThat(median(rest)).as("median GET /api/v1/ports ms").isLessThan(100);
            assertThat(max(configure)).as("slowest control-plane change ms").isLessThan(1000);
            assertThat(max(fdb)).as("slowest fdb().entries() ms").isLessThan(1000);
            assertThat(max(rest)).as("slowest GET /api/v1/ports ms").isLessThan(2000);
        }

        static double median(List<Double> v) {
            List<Double> s = new ArrayList<>(v);
            Collections.sort(s);
            return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
        }

        static double max(List<Double> v) {
            return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        @Override
        public String toString() {
            return String.format("%d samples each; control-plane change median %.2f ms max %.2f ms; fdb().entries() median"
                            + " %.2f ms max %.2f ms; GET /api/v1/ports median %.2f ms max %.2f ms", configure.size(),
                    median(configure), max(configure), median(fdb), max(fdb), median(rest), max(rest));
        }
    }

    /** Where the agent's event loops are, for a failure message. */
    private static String eventLoops() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("vert.x-eventloop")) {
                sb.append(t.getName()).append(' ').append(t.getState()).append('\n');
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    sb.append("    at ").append(stack[i]).append('\n');
                }
            }
        });
        return sb.toString();
    }

    /** Calls the control plane every 50 ms for {@code millis}: a committed change, the FDB listing, a REST GET. */
    private static Latencies measureControlPlane(long millis) throws Exception {
        SwitchView sw = agent.view();
        List<Double> configure = new ArrayList<>();
        List<Double> fdb = new ArrayList<>();
        List<Double> rest = new ArrayList<>();
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(agent.apiUrl() + "/api/v1/ports"))
                .timeout(Duration.ofSeconds(5));
        if (agent.access().token() != null) {
            get.header("Authorization", "Bearer " + agent.access().token());
        }
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(millis)) {
            long a = System.nanoTime();
            assertThat(agent.controlPlane().submit(new Change.SetAdmin(name("h2"), true), null).value().enabled()).isTrue();
            long b = System.nanoTime();
            // While a MAC moves between the loop ports thousands of times a second, every entry the
            // listing shows must still name one of the switch's ports.
            assertThat(sw.fdb().entries()).allSatisfy(e -> assertThat(sw.topology().port(e.port()))
                    .as("port of %s", e).isNotNull());
            long c = System.nanoTime();
            HttpResponse<String> r;
            try {
                r = http.send(get.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpTimeoutException e) {
                throw new AssertionError("GET /api/v1/ports timed out; event loops:\n" + eventLoops(), e);
            }
            long d = System.nanoTime();
            assertThat(r.statusCode()).as("GET /api/v1/ports: " + r.body()).isEqualTo(200);
            configure.add((b - a) / 1e6);
            fdb.add((c - b) / 1e6);
            rest.add((d - c) / 1e6);
            Thread.sleep(50);
        }
        return new Latencies((System.nanoTime() - start) / 1e9, configure, fdb, rest);
    }
}
