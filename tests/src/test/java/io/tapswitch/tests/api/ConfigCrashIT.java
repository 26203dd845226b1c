package io.tapswitch.tests.api;

import io.tapswitch.agent.cli.RunCommand;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of an agent while API changes stream in never leaves an unreadable configuration file,
 * and never loses a change the API acknowledged.
 *
 * <p>Each round starts {@code tapswitch run} as a child JVM on the same file, streams changes
 * (aging times that only grow, each followed by a VLAN change of its TAP port) from one client,
 * and kills the child at a random moment. The file must then load and validate; its aging time
 * must lie between the last acknowledged value and the last one sent, and its port's VLAN must be
 * the last acknowledged VLAN change or the one in flight, and belong to the same revision as the
 * aging time.
 *
 * <p>What this proves is that the agent writes a change to the file before it acknowledges it,
 * and replaces the file atomically. It does not prove durability: SIGKILL ends the process but
 * leaves the page cache, so a file written and never fsynced survives it just as well. The fsyncs
 * (the text before the rename, the directory after) are checked by {@code ConfigFileSyncTest}
 * in the agent module, with recording file channels.
 */
class ConfigCrashIT {
    static final int ROUNDS = 50;
    static final String PORT = "tsapik1";

    @TempDir
    Path dir;

    @BeforeAll
    static void root() {
        Root.require();
    }

    @AfterEach
    void removeTap() throws Exception {
        if (Files.exists(Path.of("/sys/class/net", PORT))) {
            new ProcessBuilder("ip", "link", "del", PORT).inheritIO().start().waitFor();
        }
    }

    @Test
    void killNineNeverTearsTheConfigFile() throws Exception {
        Path file = dir.resolve("switch.yaml");
        Files.writeString(file, "name: crash\nagingSeconds: 100\nhttp: {port: 0}\nports:\n  - {name: " + PORT + "}\n");
        Random random = new Random(42);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        int next = 101;
        int totalAcked = 0;
        int totalVlansAcked = 0;
        String vlanBefore = "trunk";
        for (int round = 0; round < ROUNDS; round++) {
            Process child = startAgent(file);
            try {
                String api = awaitApi(child);
                AtomicInteger acked = new AtomicInteger(-1);
                AtomicInteger sent = new AtomicInteger(-1);
                AtomicInteger vlanAcked = new AtomicInteger(-1);
                AtomicInteger vlanSent = new AtomicInteger(-1);
                int first = next;
                CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
                    for (int v = first; ; v++) {
                        sent.set(v);
                        if (!send(http, "PATCH", api + "/switch", "{\"agingSeconds\":" + v + "}")) {
                            return;
                        }
                        acked.set(v);
                        vlanSent.set(v);
                        if (!send(http, "PUT", api + "/ports/" + PORT + "/vlan", vlanJson(v))) {
                            return;
                        }
                        vlanAcked.set(v);
                    }
                });
                Thread.sleep(300 + random.nextInt(1200));
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                stream.get(30, TimeUnit.SECONDS);

                AgentConfig saved = new ConfigLoader().load(file);
                assertThat(saved.ports()).extracting(p -> p.name()).containsExactly(PORT);
                if (acked.get() >= 0) {
                    assertThat(saved.agingSeconds()).as("round %d", round).isBetween(acked.get(), sent.get());
                    totalAcked += acked.get() - first + 1;
                }
                String savedVlan = vlanOf(saved.ports().get(0).vlan());
                if (vlanAcked.get() >= 0) {
                    assertThat(savedVlan).as("round %d: VLAN acknowledged for %d, sent for %d", round, vlanAcked.get(), vlanSent.get())
                            .isIn(vlanOf(vlanAcked.get()), vlanOf(vlanSent.get()));
                    totalVlansAcked += vlanAcked.get() - first + 1;
                }
                // One revision: the VLAN change that followed the saved aging time, or the one before it
                // (the file's VLAN after the last round, where the aging time is this round's first).
                int aging = saved.agingSeconds();
                if (aging < first) {
                    assertThat(savedVlan).as("round %d: nothing of it saved", round).isEqualTo(vlanBefore);
                } else {
                    assertThat(savedVlan).as("round %d: VLAN beside aging %d", round, aging)
                            .isIn(vlanOf(aging), aging == first ? vlanBefore : vlanOf(aging - 1));
                }
                vlanBefore = savedVlan;
                next = Math.max(sent.get(), saved.agingSeconds()) + 1;
            } finally {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(totalAcked).as("changes acknowledged over all rounds").isGreaterThan(ROUNDS);
        assertThat(totalVlansAcked).as("VLAN changes acknowledged over all rounds").isGreaterThan(ROUNDS);
    }

    /** The VLAN change streamed after aging time {@code v}: access in a VLAN of {@code v}'s, or trunk. */
    private static String vlanJson(int v) {
        return v % 2 == 0 ? "{\"mode\":\"access\",\"tag\":" + (v % 4000 + 1) + "}" : "{\"mode\":\"trunk\"}";
    }

    private static String vlanOf(int v) {
        return v % 2 == 0 ? "access " + (v % 4000 + 1) : "trunk";
    }

    /** The port's VLAN as the file holds it, in {@link #vlanOf}'s words; a port without one is a trunk. */
    private static String vlanOf(VlanSpec vlan) {
        if (vlan == null || vlan.mode() == null || vlan.mode().equals("trunk")) {
            return "trunk";
        }
        return vlan.mode() + " " + vlan.tag();
    }

    private static boolean send(HttpClient http, String method, String url, String body) {
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException(method + " " + url + " answered " + res.statusCode() + ": " + res.body());
            }
            return true;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Process startAgent(Path file) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.tapswitch.agent.cli.Main", "run", "--config", file.toString())
                .redirectErrorStream(true)
                .start();
    }

    /** Reads the child's output until it prints the API URL; keeps draining it afterwards. */
    private static String awaitApi(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith(RunCommand.API_LINE_PREFIX)) {
                        url.complete(line.substring(RunCommand.API_LINE_PREFIX.length()).trim());
                    } else if (!url.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException ignored) {
                // the child was killed
            }
            url.completeExceptionally(new IllegalStateException("agent exited before its API was up:\n" + seen));
        }, "agent-output");
        reader.setDaemon(true);
        reader.start();
        return url.get(60, TimeUnit.SECONDS);
    }
}
