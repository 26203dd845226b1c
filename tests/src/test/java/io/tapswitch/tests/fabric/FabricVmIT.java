package io.tapswitch.tests.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.vm.ConsoleLog;
import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.tests.lab.GuestImage;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One QEMU guest per agent of a two-host fabric, each brought up by its own agent from a lab file
 * ({@code vm-configs/fabric-a.yaml}, {@code fabric-b.yaml}) through {@code POST /api/v1/labs}: the
 * agent makes the TAP and starts QEMU inside its namespace, and advertises the guest's VLAN to the
 * other agent, which then makes a tunnel port to it. The guests keep QEMU's default offloads and
 * MTU 1500 and send each other 8 MiB over TCP both ways, compared by md5.
 *
 * <pre>
 *   root namespace: bridge tsfv-ul 198.19.78.254/24
 *   tsfv-a: agent a (198.19.78.1) ── TAP fab-a1-0 (VLAN 10) ── guest fab-a1 198.18.16.1
 *   tsfv-b: agent b (198.19.78.2) ── TAP fab-b1-0 (VLAN 10) ── guest fab-b1 198.18.16.2
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FabricVmIT {
    static final String NET = "198.19.78";
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final int MIB = 1024 * 1024;

    private static FabricLab lab;
    private static Netns nsA;
    private static Netns nsB;
    private static Api apiA;
    private static Api apiB;
    private static final LabGuests guests = new LabGuests();

    @RegisterExtension
    static final TestWatcher LOGS = FabricLab.agentLogsOnFailure(() -> lab, 100);

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        GuestImage.build();
        lab = FabricLab.create("tsfv", NET, "tsfv-a", "tsfv-b");
        try {
            nsA = lab.namespace("a");
            nsB = lab.namespace("b");
            lab.underlay(nsA, "a", 1);
            lab.underlay(nsB, "b", 2);
            // No ports of their own: the labs bring them.
            long launched = System.nanoTime();
            AgentProcess a = lab.startAgent("a", nsA, lab.config("a",
                    lab.agentYaml("a", 1, "\"" + NET + ".2\"", "vxlan: {}", "  []")));
            AgentProcess b = lab.startAgent("b", nsB, lab.config("b",
                    lab.agentYaml("b", 2, "\"" + NET + ".1\"", "vxlan: {}", "  []")));
            apiA = new Api(a.awaitApi(Duration.ofSeconds(90)), FabricLab.TOKEN);
            apiB = new Api(b.awaitApi(Duration.ofSeconds(90)), FabricLab.TOKEN);
            System.out.printf("FabricVmIT: agents' APIs up %.1f s after launch%n", (System.nanoTime() - launched) / 1e9);
        } catch (Exception | Error e) {
            LOGS.testFailed(null, e);
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            try {
                for (Api api : List.of(apiA, apiB)) {
                    if (api != null) {
                        for (String name : List.of("fabric-a", "fabric-b")) {
                            try {
                                api.delete("/labs/" + name, 204);
                            } catch (Exception | AssertionError ignored) {
                                // not up there
                            }
                        }
                    }
                }
            } finally {
                lab.close();
                lab = null;
                guests.killLeftovers();
            }
        }
    }

    /** Whether {@code api}'s agent shows {@code peer} up, a member, with a tunnel port whose health is up. */
    private static boolean joined(Api api, String peer) {
        JsonNode h = api.hostOrNull(peer);
        return h != null && "up".equals(h.path("state").asText()) && h.path("member").asBoolean()
                && "up".equals(h.path("tunnel").asText()) && ("vtep-" + peer).equals(h.path("port").asText());
    }

    @Test
    @Order(1)
    void eachAgentBringsUpItsLabAndTheFabricCarriesTheGuestsVlan() throws Exception {
        long began = System.nanoTime();
        for (Api api : List.of(apiA, apiB)) {
            String file = GuestImage.ROOT.resolve("vm-configs").resolve(api == apiA ? "fabric-a.yaml" : "fabric-b.yaml").toString();
            guests.addAll(api.post("/labs", "{\"file\": \"" + file + "\"}", 201));
        }
        assertThat(guests.all()).extracting(v -> v.path("name").asText()).containsExactly("fab-a1", "fab-b1");
        for (JsonNode vm : guests.all()) {
            ConsoleLog.waitFor(Path.of(vm.path("consoleLog").asText()), Pattern.compile("TS-READY"), BOOT);
        }
        long booted = (System.nanoTime() - began) / 1_000_000;
        assertThat(nsA.run("ip", "link", "show", "fab-a1-0").succeeded()).as("a's TAP in a's namespace").isTrue();
        assertThat(nsB.run("ip", "link", "show", "fab-b1-0").succeeded()).as("b's TAP in b's namespace").isTrue();
        assertThat(apiA.portNames()).contains("fab-a1-0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(joined(apiA, "b") && joined(apiB, "a")) && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(joined(apiA, "b") && joined(apiB, "a")).as("tunnel ports up both ways, for the labs' VLAN").isTrue();
        assertThat(apiA.host("b").orElseThrow().path("vlans").asText()).isEqualTo("10");
        System.out.printf("FabricVmIT: both guests booted (TS-READY) %.1f s after the labs were posted; fabric up %.1f s after%n",
                booted / 1000.0, (System.nanoTime() - began) / 1e9);
        assertThat(guests.pingUntilAnswered("fab-a1", "198.18.16.2", Duration.ofSeconds(30)))
                .as("fab-a1 pings fab-b1 across the tunnel").contains("2 packets received");
    }

    @Test
    @Order(2)
    void eightMegabytesOfTcpCrossBetweenTheGuestsBothWaysIntact() throws Exception {
        send("fab-b1", "fab-a1", "198.18.16.1", apiB, "vtep-a");
        send("fab-a1", "fab-b1", "198.18.16.2", apiA, "vtep-b");
    }

    /** 8 MiB from guest {@code from} to guest {@code to} over busybox nc; md5 compared; the sender's tunnel port counters printed. */
    private static void send(String from, String to, String toAddress, Api sender, String vtep) throws Exception {
        JsonNode before = sender.stats(vtep);
        guests.exec(to, "rm -f /tmp/rx; (sleep 600 | nc -l -p 5001 > /tmp/rx &)", Duration.ofSeconds(10));
        long began = System.nanoTime();
        GuestConsole.Result sent = guests.exec(from,
                "dd if=/dev/urandom of=/tmp/tx bs=1M count=8 2>/dev/null && nc " + toAddress + " 5001 < /tmp/tx && md5sum /tmp/tx",
                Duration.ofSeconds(180));
        String txSum = sent.output().trim().split("\\s+")[0];
        assertThat(txSum).as(sent.output()).hasSize(32);
        String rxSum = "";
        String last = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            GuestConsole.Result r = guests.exec(to, "wc -c < /tmp/rx; md5sum /tmp/rx", Duration.ofSeconds(30));
            last = r.output();
            List<String> lines = r.output().trim().lines().toList();
            if (lines.size() == 2 && lines.get(0).trim().equals(String.valueOf(8 * MIB))) {
                rxSum = lines.get(1).split("\\s+")[0];
                break;
            }
            Thread.sleep(500);
        }
        long millis = (System.nanoTime() - began) / 1_000_000;
        guests.exec(to, "pkill -f 'nc -l -p 5001'; pkill sleep; true", Duration.ofSeconds(10));
        assertThat(rxSum).as("md5 of the 8 MiB %s received (last look: %s)", to, last).isEqualTo(txSum);
        JsonNode after = sender.stats(vtep);
        long packets = after.path("txPackets").asLong() - before.path("txPackets").asLong();
        long bytes = after.path("txBytes").asLong() - before.path("txBytes").asLong();
        long tooBig = after.path("txDrops").path("DROP_TOO_BIG_FOR_UNDERLAY").asLong(0)
                - before.path("txDrops").path("DROP_TOO_BIG_FOR_UNDERLAY").asLong(0);
        System.out.printf("FabricVmIT: 8 MiB %s -> %s intact (md5 %s) in %.1f s (dd in the guest included); %s took %d frames,"
                + " %d bytes on average (GSO frames from QEMU's default offloads), %d dropped too big%n",
                from, to, txSum, millis / 1000.0, vtep, packets, bytes / Math.max(1, packets), tooBig);
        assertThat(bytes / Math.max(1, packets)).as("the guest's TSO super-frames reached the tunnel port").isGreaterThan(1514);
        assertThat(tooBig).as("nothing of the TCP stream dropped as too big").isZero();
    }

    @Test
    @Order(3)
    void nothingIsLeftBehind() throws Exception {
        apiA.delete("/labs/fabric-a", 204);
        apiB.delete("/labs/fabric-b", 204);
        for (JsonNode vm : guests.all()) {
            assertThat(ProcessHandle.of(vm.path("pid").asLong()).map(ProcessHandle::isAlive).orElse(false))
                    .as("QEMU of %s", vm.path("name").asText()).isFalse();
        }
        assertThat(FabricLab.links(nsA)).as("a's TAP removed").doesNotContain("fab-a1-0");
        assertThat(FabricLab.links(nsB)).as("b's TAP removed").doesNotContain("fab-b1-0");
        assertThat(apiA.portNames()).doesNotContain("fab-a1-0");
        FabricLab done = lab;
        lab = null;
        done.close();
        assertThat(done.leftovers()).as("left behind").isEmpty();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("qemu") && (c.contains("fab-a1") || c.contains("fab-b1"))).orElse(false)).toList())
                .as("QEMU processes of the labs").isEmpty();
        System.out.println("FabricVmIT: labs down, agents stopped; no QEMU, TAP, namespace, interface or JVM left");
    }
}
