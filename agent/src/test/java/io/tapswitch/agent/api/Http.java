package io.tapswitch.agent.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A blocking test client for the API: raw status, headers and parsed JSON of every answer. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, HttpResponse<String> raw, JsonNode json) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        /** The field paths named in an error body. */
        java.util.List<String> fields() {
            java.util.List<String> out = new java.util.ArrayList<>();
            json.path("errors").forEach(e -> out.add(e.path("field").asText()));
            return out;
        }
    }

    private final String base;
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Http(String base, String token) {
        this.base = base;
        this.token = token;
    }

    Http(String base) {
        this(base, null);
    }

    Reply get(String path) {
        return send("GET", path, null, null);
    }

    Reply delete(String path) {
        return send("DELETE", path, null, null);
    }

    Reply post(String path, String body) {
        return send("POST", path, body, null);
    }

    Reply put(String path, String body) {
        return send("PUT", path, body, null);
    }

    Reply patch(String path, String body) {
        return send("PATCH", path, body, null);
    }

    Reply send(String method, String path, String body, String ifMatch) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> res = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = res.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(res.body());
            } catch (Exception e) {
                json = MissingNode.getInstance();
            }
            return new Reply(res.statusCode(), res, json);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }
}
