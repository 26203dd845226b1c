package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A small, blocking client of the agent's REST API for {@code tapswitch ctl}: JSON in, JSON out,
 * and any non-2xx answer turned into a {@link CtlException} carrying the API's field errors.
 */
public final class ApiClient {
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ApiClient(String url, String token) {
        this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.token = token;
    }

    public JsonNode get(String path, Map<String, String> query) {
        return send("GET", path + queryString(query), null);
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    /** A POST that may take longer than {@link #DEFAULT_TIMEOUT}, such as running a lab's checks. */
    public JsonNode post(String path, Object body, Duration timeout) {
        return send("POST", path, body, timeout);
    }

    public JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    public JsonNode delete(String path, Map<String, String> query) {
        return send("DELETE", path + queryString(query), null);
    }

    /**
     * Opens a WebSocket on {@code path} under {@code /api/v1} (ws:// for an http:// agent, wss:// for
     * https://), with the bearer token when there is one.
     */
    public java.util.concurrent.CompletableFuture<java.net.http.WebSocket> webSocket(String path,
                                                                                   java.net.http.WebSocket.Listener listener) {
        URI uri = URI.create(base.toString().replaceFirst("^http", "ws") + "/api/v1" + path);
        java.net.http.WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.buildAsync(uri, listener);
    }

    /** Percent-encodes one path segment (port and mirror names, MACs). */
    public static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static Map<String, String> query(String... pairs) {
        Map<String, String> q = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.put(pairs[i], pairs[i + 1]);
            }
        }
        return q;
    }

    private static String queryString(Map<String, String> query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringJoiner j = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> j.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }

    private JsonNode send(String method, String path, Object body) {
        return send(method, path, body, DEFAULT_TIMEOUT);
    }

    private JsonNode send(String method, String path, Object body, Duration timeout) {
        URI uri = URI.create(base + "/api/v1" + path);
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (token != null && !token.isEmpty()) {
            req.header("Authorization", "Bearer " + token);
        }
        try {
            if (body != null) {
                req.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } else {
                req.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = res.body().isEmpty() ? NullNode.getInstance() : parse(res.body());
            if (res.statusCode() / 100 != 2) {
                throw CtlException.fromResponse(res.statusCode(), json);
            }
            return json;
        } catch (ConnectException e) {
            throw new CtlException("cannot reach the agent at " + base + " (is it running? see --url)");
        } catch (IOException e) {
            throw new CtlException("request to " + uri + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted");
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    public static String pretty(JsonNode json) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
