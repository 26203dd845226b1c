package io.tapswitch.tests.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.vm.ConsoleLog;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lab across hosts: one lab file whose two guests name {@code host: a} and {@code host: b}, posted
 * to agent a only. Agent a starts its guest and has agent b start the other (over the cluster), the
 * fabric carries their VLAN, and {@code DELETE} on a brings both down. Then the failure: the lab up
 * again, agent b stopped, and a lists b's guest as unreachable and still brings its own part down.
 * The lab's checks ({@code POST /api/v1/labs/{name}/test} on a) ping between the hosts; they reach
 * b's guest through its console socket, which both agents here see on one file system.
 *
 * <pre>
 *   root namespace: bridge tsfh-ul 198.19.79.254/24
 *   tsfh-a: agent a (198.19.79.1) ── TAP tsfh-a1-0 (VLAN 10) ── guest tsfh-a1 198.18.17.1
 *   tsfh-b: agent b (198.19.79.2) ── TAP tsfh-b1-0 (VLAN 10) ── guest tsfh-b1 198.18.17.2
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FabricLabIT {
    static final String NET = "198.19.79";
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final String LAB = "tsfh-lab";

    private static FabricLab lab;
    private static Netns nsA;
    private static Netns nsB;
    private static Api apiA;
    private static Api apiB;
    private static AgentProcess agentB;
    private static Path labFile;
    private static long began;
    private static final LabGuests guests = new LabGuests();

    @RegisterExtension
    static final TestWatcher LOGS = FabricLab.agentLogsOnFailure(() -> lab, 80);

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        began = System.nanoTime();
        GuestImage.build();
        lab = FabricLab.create("tsfh", NET, "tsfh-a", "tsfh-b");
        try {
            nsA = lab.namespace("a");
            nsB = lab.namespace("b");
            lab.underlay(nsA, "a", 1);
            lab.underlay(nsB, "b", 2);
            AgentProcess a = lab.startAgentWithOwnState("a", nsA, lab.config("a",
                    lab.agentYaml("a", 1, "\"" + NET + ".2\"", "vxlan: {}", "  []")));
            agentB = lab.startAgentWithOwnState("b", nsB, lab.config("b",
                    lab.agentYaml("b", 2, "\"" + NET + ".1\"", "vxlan: {}", "  []")));
            apiA = new Api(a.awaitApi(Duration.ofSeconds(90)), FabricLab.TOKEN);
            apiB = new Api(agentB.awaitApi(Duration.ofSeconds(90)), FabricLab.TOKEN);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (apiA.hostOrNull("b") == null && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(apiA.hostOrNull("b")).as("a hears b's adverts").isNotNull();
            labFile = lab.dir().resolve("across.yaml");
            Files.writeString(labFile, labYaml("b"));
        } catch (Exception | Error e) {
            LOGS.testFailed(null, e);
            stop();
            throw e;
        }
    }

    /** The lab: guest tsfh-a1 on host a, guest tsfh-b1 on host {@code otherHost}, both in VLAN 10. */
    private static String labYaml(String otherHost) {
        return """
                name: %s
                guest: {kernel: %s, initrd: %s, memory: 192, accel: auto}
                vms:
                  - name: tsfh-a1
                    host: a
                    nics: [{port: tsfh-a1-0, mac: "52:54:00:74:17:a1", ip: 198.18.17.1/24, vlan: 10}]
                  - name: tsfh-b1
                    host: %s
                    nics: [{port: tsfh-b1-0, mac: "52:54:00:74:17:b1", ip: 198.18.17.2/24, vlan: 10}]
                checks:
                  - name: a1-reaches-b1
                    ping: {from: tsfh-a1, to: tsfh-b1, count: 2}
                  - name: b1-reaches-a1
                    ping: {from: tsfh-b1, to: 198.18.17.1, count: 2}
                """.formatted(LAB, GuestImage.kernel(), GuestImage.initrd(), otherHost);
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            try {
                for (Api api : List.of(apiA, apiB)) {
                    try {
                        api.delete("/labs/" + LAB, 204);
                    } catch (Exception | AssertionError ignored) {
                        // not up there
                    }
                }
            } finally {
                lab.close();
                lab = null;
                guests.killLeftovers();
            }
        }
    }

    private static List<JsonNode> list(Api api) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        api.get("/vms").path("vms").forEach(out::add);
        return out;
    }

    @Test
    @Order(1)
    void aHostNotInTheFabricIsRefusedNamingTheFieldAndNothingStarts() throws Exception {
        Path bad = lab.dir().resolve("bad.yaml");
        Files.writeString(bad, labYaml("nowhere"));
        JsonNode refused = apiA.post("/labs", "{\"file\": \"" + bad + "\"}", 400);
        assertThat(refused.toString()).contains("vms[1].host").contains("nowhere");
        assertThat(list(apiA)).isEmpty();
        assertThat(list(apiB)).isEmpty();
        assertThat(FabricLab.links(nsA)).doesNotContain("tsfh-a1-0");
    }

    @Test
    @Order(2)
    void upOnAStartsEachGuestOnItsHostAndTheyShareTheirVlanOverTheFabric() throws Exception {
        long t0 = System.nanoTime();
        guests.addAll(apiA.post("/labs", "{\"file\": \"" + labFile + "\"}", 201));
        assertThat(guests.all()).extracting(v -> v.path("name").asText() + "@" + v.path("host").asText())
                .containsExactly("tsfh-a1@a", "tsfh-b1@b");
        assertThat(LabGuests.qemuAlive(guests.get("tsfh-b1"))).as("b's QEMU runs").isTrue();
        assertThat(FabricLab.links(nsB)).as("b's TAP in b's namespace, made by agent b").contains("tsfh-b1-0");
        assertThat(FabricLab.links(nsA)).as("a's TAP in a's namespace only").contains("tsfh-a1-0").doesNotContain("tsfh-b1-0");
        assertThat(list(apiB)).extracting(v -> v.path("name").asText()).containsExactly("tsfh-b1");
        assertThat(apiB.portNames()).contains("tsfh-b1-0").doesNotContain("tsfh-a1-0");
        assertThat(list(apiA)).extracting(v -> v.path("name").asText() + "@" + v.path("host").asText() + ":" + v.path("state").asText())
                .containsExactly("tsfh-a1@a:RUNNING", "tsfh-b1@b:RUNNING");
        for (JsonNode vm : guests.all()) {
            ConsoleLog.waitFor(Path.of(vm.path("consoleLog").asText()), Pattern.compile("TS-READY"), BOOT);
        }
        System.out.printf("FabricLabIT: both guests booted %.1f s after the lab was posted to a%n", (System.nanoTime() - t0) / 1e9);
        assertThat(guests.pingUntilAnswered("tsfh-a1", "198.18.17.2", Duration.ofSeconds(40)))
                .as("tsfh-a1 pings tsfh-b1 over the fabric").contains("2 packets received");
        JsonNode tunnel = apiA.stats("vtep-b");
        assertThat(tunnel.path("txPackets").asLong()).as("a's pings left through the tunnel port to b").isPositive();
        String back = guests.exec("tsfh-b1", "ping -c 2 -W 2 198.18.17.1", Duration.ofSeconds(20)).output();
        assertThat(back).as("and back").contains("2 packets received");
        JsonNode report = apiA.post("/labs/" + LAB + "/test", "", 200);
        assertThat(report.path("passed").asInt()).as("the lab's checks, run from a, across hosts: %s", report).isEqualTo(2);
        assertThat(report.path("failed").asInt() + report.path("errors").asInt()).isZero();
    }

    @Test
    @Order(3)
    void downOnARemovesTheGuestsOfBothHosts() throws Exception {
        apiA.delete("/labs/" + LAB, 204);
        for (JsonNode vm : guests.all()) {
            assertThat(LabGuests.qemuAlive(vm)).as("QEMU of %s", vm.path("name").asText()).isFalse();
        }
        assertThat(FabricLab.links(nsB)).doesNotContain("tsfh-b1-0");
        assertThat(FabricLab.links(nsA)).doesNotContain("tsfh-a1-0");
        assertThat(list(apiA)).isEmpty();
        assertThat(list(apiB)).isEmpty();
        assertThat(apiB.portNames()).doesNotContain("tsfh-b1-0");
    }

    @Test
    @Order(4)
    void whenBIsGoneItsGuestIsListedUnreachableAndDownStillCleansUpA() throws Exception {
        guests.clear();
        guests.addAll(apiA.post("/labs", "{\"file\": \"" + labFile + "\"}", 201));
        assertThat(LabGuests.qemuAlive(guests.get("tsfh-b1"))).isTrue();
        agentB.stop();
        assertThat(LabGuests.qemuAlive(guests.get("tsfh-b1"))).as("b took its guest down as it stopped").isFalse();
        List<JsonNode> seen = list(apiA);
        assertThat(seen).extracting(v -> v.path("name").asText() + ":" + v.path("state").asText())
                .containsExactly("tsfh-a1:RUNNING", "tsfh-b1:UNREACHABLE");
        JsonNode report = apiA.deleteWithBody("/labs/" + LAB, 200);
        assertThat(report.path("unreachable").toString()).isEqualTo("[\"b\"]");
        assertThat(LabGuests.qemuAlive(guests.get("tsfh-a1"))).as("a's guest down all the same").isFalse();
        assertThat(list(apiA)).isEmpty();
        FabricLab done = lab;
        lab = null;
        done.close();
        assertThat(done.leftovers()).as("left behind").isEmpty();
        System.out.printf("FabricLabIT: %.1f s in all%n", (System.nanoTime() - began) / 1e9);
    }
}
