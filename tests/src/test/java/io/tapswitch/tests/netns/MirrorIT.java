package io.tapswitch.tests.netns;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.capture.Capture;
import io.tapswitch.core.capture.CaptureSpec;
import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mirroring and capture on real TAP ports: three hosts and a monitor host whose tcpdump must see
 * unicast between two other hosts (and none of it once the mirror is gone); RSPAN into a VLAN seen
 * on a trunk and on an access port of that VLAN, not on one of another; the monitor's own frames
 * dropped; a pcap written by a capture read back by tcpdump.
 */
class MirrorIT {
    private static final String PREFIX = "tsm";
    private static NsSwitch lab;
    private static Netns h1;
    private static Netns h2;
    private static Netns h3;
    private static Netns mon;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        lab = new NsSwitch(PREFIX);
        h1 = lab.host("h1", VlanConfig.DEFAULT, "02:00:00:02:00:01", "198.18.2.1/24");
        h2 = lab.host("h2", VlanConfig.DEFAULT, "02:00:00:02:00:02", "198.18.2.2/24");
        h3 = lab.host("h3", VlanConfig.DEFAULT, "02:00:00:02:00:03", "198.18.2.3/24");
        mon = lab.host("mon", VlanConfig.DEFAULT, "02:00:00:02:00:0f", null);
        // the hosts learn each other first, so that the pings below are unicast end to end
        h1.run("ping", "-c", "1", "-W", "1", "198.18.2.2");
        h1.run("ping", "-c", "1", "-W", "1", "198.18.2.3");
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void monitorSeesUnicastBetweenTwoOtherHosts() throws Exception {
        // permanent neighbours: no ARP beside the pings, so the mirror copies exactly the ten frames
        permanentNeighbours();
        lab.sw().addMirror(new MirrorConfig("span", Set.of(PREFIX + "-h1"), Set.of(PREFIX + "-h1"), null, false,
                PREFIX + "-mon", 0, 0));
        try (Tcpdump watch = Tcpdump.start(mon, PREFIX + "-mon")) {
            assertThat(h1.run("ping", "-c", "5", "-i", "0.2", "-W", "1", "198.18.2.2").output()).contains("5 received");
            List<String> seen = watch.stop();
            assertThat(seen.stream().filter(l -> l.contains("02:00:00:02:00:01 > 02:00:00:02:00:02")
                    && l.contains("198.18.2.1 > 198.18.2.2: ICMP echo request"))).hasSize(5);
            assertThat(seen.stream().filter(l -> l.contains("02:00:00:02:00:02 > 02:00:00:02:00:01")
                    && l.contains("198.18.2.2 > 198.18.2.1: ICMP echo reply"))).hasSize(5);
            assertThat(seen).hasSize(10);
            // the mirror's counters, as the API reports them, count what the monitor's wire carried
            JsonObject stats = mirrorFromApi("span").getJsonObject("stats");
            assertThat(stats.getLong("copied")).as("copied, by the API: %s", stats).isEqualTo(seen.size());
            assertThat(stats.getLong("failed")).as("failed, by the API: %s", stats).isZero();
        } finally {
            lab.sw().removeMirror("span");
            forgetNeighbours();
        }
    }

    /**
     * The control for the test above: five and five frames at the monitor cannot tell mirroring
     * from flooding. Without the mirror the monitor is an ordinary port, and sees none of the same
     * flow, while h2 (the positive control) sees every request.
     */
    @Test
    void withTheMirrorRemovedTheMonitorSeesNoneOfThatFlow() throws Exception {
        permanentNeighbours();
        assertThat(lab.sw().view().topology().mirrorConfigs()).isEmpty();
        try (Tcpdump atMon = Tcpdump.start(mon, PREFIX + "-mon", "icmp");
             Tcpdump atH2 = Tcpdump.start(h2, PREFIX + "-h2", "icmp")) {
            assertThat(h1.run("ping", "-c", "5", "-i", "0.2", "-W", "1", "198.18.2.2").output()).contains("5 received");
            List<String> h2Saw = atH2.stop();
            assertThat(h2Saw.stream().filter(l -> l.contains("02:00:00:02:00:01 > 02:00:00:02:00:02")
                    && l.contains("198.18.2.1 > 198.18.2.2: ICMP echo request"))).as("at h2: %s", h2Saw).hasSize(5);
            assertThat(atMon.stop()).as("h1 <-> h2 at the monitor, with no mirror").isEmpty();
        } finally {
            forgetNeighbours();
        }
    }

    @Test
    void theMonitorsOwnTransmissionsAreDropped() throws Exception {
        lab.sw().addMirror(new MirrorConfig("span2", Set.of(PREFIX + "-h3"), Set.of(), null, false,
                PREFIX + "-mon", 0, 0));
        try (Tcpdump atH1 = Tcpdump.start(h1, PREFIX + "-h1", "ether", "src", "02:00:00:02:00:0f")) {
            long before = lab.port("mon").stats().decisions(Reason.DROP_MIRROR_OUTPUT);
            mon.exec("ip", "addr", "add", "198.18.2.15/24", "dev", PREFIX + "-mon");
            // a permanent neighbour, so that each of the three pings is a frame on the wire
            mon.exec("ip", "neigh", "replace", "198.18.2.1", "lladdr", "02:00:00:02:00:01", "dev", PREFIX + "-mon", "nud", "permanent");
            mon.run("ping", "-c", "3", "-i", "0.2", "-W", "1", "198.18.2.1");
            assertThat(atH1.stop()).isEmpty();
            assertThat(lab.port("mon").stats().decisions(Reason.DROP_MIRROR_OUTPUT)).isGreaterThanOrEqualTo(before + 3);
            assertThat(lab.sw().view().fdb().lookup(0, io.tapswitch.core.frame.MacAddress.parse("02:00:00:02:00:0f")))
                    .isEqualTo(-1);
        } finally {
            mon.run("ip", "addr", "flush", "dev", PREFIX + "-mon");
            lab.sw().removeMirror("span2");
        }
    }

    @Test
    void rspanCarriesCopiesInAVlanToATrunk() throws Exception {
        String trunk = lab.bareTap("trk", VlanConfig.trunk(VlanSet.of(999)));
        // access ports: one of the RSPAN VLAN (the copies reach it, untagged), one of another VLAN (none may)
        String in999 = lab.bareTap("a999", VlanConfig.access(999));
        String other = lab.bareTap("a998", VlanConfig.access(998));
        for (String tap : List.of(trunk, in999, other)) {
            HostCommand.run(List.of("sysctl", "-q", "-w", "net.ipv6.conf." + tap + ".disable_ipv6=1"));
        }
        lab.sw().addMirror(new MirrorConfig("rspan", Set.of(PREFIX + "-h3"), Set.of(), null, false, null, 999, 0));
        try (Tcpdump onTrunk = Tcpdump.start(null, trunk, "vlan", "999", "and", "icmp");
             Tcpdump onAccess999 = Tcpdump.start(null, in999, "icmp");
             Tcpdump onOtherVlan = Tcpdump.start(null, other)) {
            assertThat(h3.run("ping", "-c", "3", "-i", "0.2", "-W", "1", "198.18.2.1").output()).contains("3 received");
            List<String> seen = onTrunk.stop();
            assertThat(seen.stream().filter(l -> l.contains("vlan 999") && l.contains("198.18.2.3 > 198.18.2.1: ICMP echo request")))
                    .hasSize(3);
            List<String> access999 = onAccess999.stop();
            assertThat(access999.stream().filter(l -> l.contains("198.18.2.3 > 198.18.2.1: ICMP echo request")))
                    .as("copies on an access port of VLAN 999: %s", access999).hasSize(3);
            assertThat(onOtherVlan.stop()).as("anything on an access port of VLAN 998").isEmpty();
        } finally {
            lab.sw().removeMirror("rspan");
            lab.sw().removePort(trunk);
            lab.sw().removePort(in999);
            lab.sw().removePort(other);
        }
    }

    @Test
    void aCaptureFileReadsBackInTcpdump() throws Exception {
        Path file = Files.createTempFile("tapswitch-capture", ".pcap");
        // permanent neighbours: an ARP exchange would otherwise take up part of the four frames
        h1.run("ip", "neigh", "replace", "198.18.2.2", "lladdr", "02:00:00:02:00:02", "dev", PREFIX + "-h1", "nud", "permanent");
        h2.run("ip", "neigh", "replace", "198.18.2.1", "lladdr", "02:00:00:02:00:01", "dev", PREFIX + "-h2", "nud", "permanent");
        try {
            Capture capture;
            try (OutputStream out = Files.newOutputStream(file)) {
                // Bounded by time rather than by count: other hosts' multicast (MLD reports, say)
                // reaches h2 too, and must not take the place of the pings.
                capture = lab.sw().capturePort(CaptureSpec.of(PREFIX + "-h2", 0).withDuration(Duration.ofSeconds(3)), out);
                h1.run("ping", "-c", "2", "-i", "0.2", "-W", "1", "198.18.2.2");
                assertThat(capture.await(10, TimeUnit.SECONDS)).isTrue();
            }
            String read = HostCommand.check("tcpdump", "-n", "-e", "-r", file.toString()).output();
            List<String> lines = read.lines().filter(l -> l.contains("ICMP echo")).toList();
            assertThat(lines).as(read).hasSize(4);
            assertThat(lines.stream().filter(l -> l.contains("198.18.2.1 > 198.18.2.2: ICMP echo request"))).hasSize(2);
            assertThat(lines.stream().filter(l -> l.contains("198.18.2.2 > 198.18.2.1: ICMP echo reply"))).hasSize(2);
        } finally {
            h1.run("ip", "neigh", "del", "198.18.2.2", "dev", PREFIX + "-h1");
            h2.run("ip", "neigh", "del", "198.18.2.1", "dev", PREFIX + "-h2");
            Files.deleteIfExists(file);
        }
    }

    /** Permanent neighbours for h1 and h2, so that each ping between them is one frame each way and nothing else. */
    private static void permanentNeighbours() {
        h1.run("ip", "neigh", "replace", "198.18.2.2", "lladdr", "02:00:00:02:00:02", "dev", PREFIX + "-h1", "nud", "permanent");
        h2.run("ip", "neigh", "replace", "198.18.2.1", "lladdr", "02:00:00:02:00:01", "dev", PREFIX + "-h2", "nud", "permanent");
    }

    private static void forgetNeighbours() {
        h1.run("ip", "neigh", "del", "198.18.2.2", "dev", PREFIX + "-h1");
        h2.run("ip", "neigh", "del", "198.18.2.1", "dev", PREFIX + "-h2");
    }

    /** {@code GET /api/v1/mirrors/NAME} from the agent's HTTP API: the mirror's configuration and counters. */
    private static JsonObject mirrorFromApi(String name) throws Exception {
        Agent agent = lab.sw().agent();
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(agent.apiUrl() + "/api/v1/mirrors/" + name))
                .timeout(Duration.ofSeconds(5));
        if (agent.access().token() != null) {
            get.header("Authorization", "Bearer " + agent.access().token());
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(get.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET /api/v1/mirrors/%s: %s", name, r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }
}
