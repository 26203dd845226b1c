package io.tapswitch.tests.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An agent's REST API as a remote client uses it: over the underlay, with the bearer token (an API
 * off loopback always requires one). Answers are Jackson trees; a status other than the expected
 * one fails with the body.
 */
final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String base;
    private final String token;

    /** @param base the API's base URL as the agent printed it, {@code http://ADDRESS:PORT/api/v1} */
    Api(String base, String token) {
        this.base = base;
        this.token = token;
    }

    String base() {
        return base;
    }

    /** The base URL without {@code /api/v1}, as {@code tapswitch ctl --url} takes it. */
    String root() {
        return base.endsWith("/api/v1") ? base.substring(0, base.length() - "/api/v1".length()) : base;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token);
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + base + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    JsonNode post(String path, String body, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new AssertionError("POST " + base + path + " " + body + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    /** DELETE {@code path}, expecting {@code expected}, and the answer's body. */
    JsonNode deleteWithBody(String path, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new AssertionError("DELETE " + base + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    void delete(String path, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new AssertionError("DELETE " + base + path + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** {@code GET /fabric}. */
    JsonNode fabric() throws IOException, InterruptedException {
        return get("/fabric");
    }

    /** The entry of {@code host} among {@code /fabric}'s hosts, if listed. */
    Optional<JsonNode> host(String host) throws IOException, InterruptedException {
        for (JsonNode h : fabric().path("hosts")) {
            if (host.equals(h.path("host").asText())) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    /** The entry of {@code host}, or null when the agent cannot be asked or does not list it (for polling). */
    JsonNode hostOrNull(String host) {
        try {
            return host(host).orElse(null);
        } catch (IOException | RuntimeException | AssertionError e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The names of the switch's ports. */
    List<String> portNames() throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (JsonNode p : get("/ports").path("ports")) {
            out.add(p.path("name").asText());
        }
        return out;
    }

    /** One port's counters from {@code /stats}. */
    JsonNode stats(String port) throws IOException, InterruptedException {
        for (JsonNode p : get("/stats").path("ports")) {
            if (port.equals(p.path("name").asText())) {
                return p;
            }
        }
        throw new AssertionError("no port " + port + " in " + base + "/stats");
    }

    /** The MAC table's entries. */
    List<JsonNode> fdb() throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        get("/fdb").path("entries").forEach(out::add);
        return out;
    }

    /** The entry of {@code mac} in the MAC table, if learned. */
    Optional<JsonNode> fdbEntry(String mac) throws IOException, InterruptedException {
        return fdb().stream().filter(e -> mac.equalsIgnoreCase(e.path("mac").asText())).findFirst();
    }

    /**
     * Reads {@code GET /events} (Server-Sent Events) for {@code duration} and returns the events'
     * data, each a JSON object with its event name under {@code "_event"}.
     */
    List<JsonNode> events(Duration duration) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + base + "/events answered " + r.statusCode());
        }
        List<JsonNode> out = new ArrayList<>();
        InputStream body = r.body();
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(duration.toMillis());
                body.close();
            } catch (InterruptedException | IOException ignored) {
                // done
            }
        }, "tsf-sse-closer");
        closer.setDaemon(true);
        closer.start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7).trim();
                } else if (line.startsWith("data: ")) {
                    com.fasterxml.jackson.databind.node.ObjectNode data =
                            (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line.substring(6));
                    data.put("_event", event);
                    out.add(data);
                }
            }
        } catch (IOException closed) {
            // the closer ended the stream
        }
        closer.interrupt();
        return out;
    }
}
