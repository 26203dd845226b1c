package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Set;

/**
 * Where the control-plane API listens and how it is protected.
 *
 * <p>The default is loopback only: anyone who can reach the API can rewire the switch, so exposing
 * it beyond the host is a deliberate act, and then it always requires a bearer token (one is
 * generated at startup when none is configured).
 *
 * @param host  address to bind (default {@value #DEFAULT_HOST})
 * @param port  TCP port (default {@value #DEFAULT_PORT}; 0 picks a free one)
 * @param token bearer token clients must send; optional on loopback, generated elsewhere when absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HttpSpec(String host, int port, String token) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int MIN_TOKEN_LENGTH = 16;
    public static final HttpSpec DEFAULT = new HttpSpec(DEFAULT_HOST, DEFAULT_PORT, null);
    /** Loopback, with an ephemeral port: for tests and embedded labs. */
    public static final HttpSpec EPHEMERAL = new HttpSpec(DEFAULT_HOST, 0, null);

    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    @JsonCreator
    public HttpSpec(@JsonProperty("host") String host,
                    @JsonProperty("port") Integer port,
                    @JsonProperty("token") String token) {
        this(host == null ? DEFAULT_HOST : host, port == null ? DEFAULT_PORT : port, token);
    }

    /** Whether the API is reachable only from this host, the one case where a token is optional. */
    public boolean loopbackOnly() {
        return LOOPBACK.contains(host);
    }

    public HttpSpec withPort(int newPort) {
        return new HttpSpec(host, newPort, token);
    }

    public HttpSpec withHost(String newHost) {
        return new HttpSpec(newHost, port, token);
    }

    public HttpSpec withToken(String newToken) {
        return new HttpSpec(host, port, newToken);
    }

    /** Keeps the token out of logs and error messages. */
    @Override
    public String toString() {
        return "HttpSpec[host=" + host + ", port=" + port + ", token=" + (token == null ? "none" : "***") + "]";
    }
}
