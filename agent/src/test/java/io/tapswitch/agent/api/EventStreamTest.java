package io.tapswitch.agent.api;

import io.tapswitch.core.frame.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The SSE stream carries MAC learning, port removal, config changes and per-second counters. */
class EventStreamTest {
    @TempDir
    Path dir;

    @Test
    void streamsLearnedMacsRemovedPortsConfigChangesAndCounters() throws Exception {
        try (RunningAgent a = RunningAgent.start(dir, RunningAgent.emptyConfig())) {
            List<String> lines = new CopyOnWriteArrayList<>();
            HttpResponse<InputStream> res = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(a.agent.apiUrl() + "/api/v1/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (Exception ignored) {
                    // the stream ends when the agent closes
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> !lines.isEmpty());

            assertThat(a.http.post("/ports", "{\"name\":\"tsapie1\"}").status()).isEqualTo(201);
            a.receive("tsapie1", ProbeFrame.build(MacAddress.BROADCAST, MacAddress.parse("02:00:00:00:e1:01"), -1, 0, 0x0800));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    a.agent.view().fdb().lookup(0, MacAddress.parse("02:00:00:00:e1:01")) >= 0);
            assertThat(a.http.delete("/ports/tsapie1").status()).isEqualTo(204);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String all = String.join("\n", lines);
                assertThat(all).contains("event: port\ndata: {\"event\":\"added\",\"port\":\"tsapie1\"}");
                assertThat(all).contains("event: fdb\ndata: {\"event\":\"LEARNED\",\"vlan\":0,\"mac\":\"02:00:00:00:e1:01\",\"port\":\"tsapie1\"}");
                assertThat(all).contains("event: port\ndata: {\"event\":\"removed\",\"port\":\"tsapie1\"}");
                assertThat(all).contains("event: config\ndata: {\"revision\":2,\"change\":\"port tsapie1 added\"}");
                assertThat(all).contains("event: config\ndata: {\"revision\":3,\"change\":\"port tsapie1 removed\"}");
                assertThat(all).contains("event: counters\ndata: {\"ports\":");
            });
        }
    }
}
