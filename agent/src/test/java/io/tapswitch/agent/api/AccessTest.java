package io.tapswitch.agent.api;

import io.tapswitch.agent.config.HttpSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loopback without a token is open; any other address needs a token, generated when none is
 * configured; a configured token is enforced everywhere, on the API and on metrics alike.
 */
class AccessTest {
    @TempDir
    Path dir;

    @Test
    void loopbackNeedsNoToken() throws Exception {
        try (RunningAgent a = RunningAgent.start(dir, RunningAgent.emptyConfig())) {
            assertThat(a.agent.access().required()).isFalse();
            assertThat(new Http(a.agent.apiUrl() + "/api/v1").get("/switch").status()).isEqualTo(200);
        }
    }

    @Test
    void offLoopbackAGeneratedTokenIsRequired() throws Exception {
        try (RunningAgent a = RunningAgent.start(dir, "http: {host: 127.0.0.2, port: 0}\n")) {
            assertThat(a.agent.apiUrl()).startsWith("http://127.0.0.2:");
            assertThat(a.agent.access().generated()).isTrue();
            String token = a.agent.access().token();
            assertThat(token).hasSizeGreaterThanOrEqualTo(HttpSpec.MIN_TOKEN_LENGTH);
            String api = a.agent.apiUrl() + "/api/v1";

            Http.Reply none = new Http(api).get("/switch");
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(none.json().path("errors").isArray()).isTrue();
            assertThat(new Http(api, token + "x").get("/switch").status()).isEqualTo(401);
            assertThat(new Http(api, token.substring(1)).post("/ports", "{\"name\":\"tsapix\"}").status()).isEqualTo(401);
            assertThat(new Http(a.agent.apiUrl()).get("/metrics").status()).isEqualTo(401);

            assertThat(new Http(api, token).get("/switch").status()).isEqualTo(200);
            assertThat(new Http(a.agent.apiUrl(), token).get("/metrics").status()).isEqualTo(200);
            assertThat(a.persisted().http().token()).as("a generated token is not written to the file").isNull();
        }
    }

    @Test
    void aConfiguredTokenIsEnforcedEvenOnLoopback() throws Exception {
        String token = "0123456789abcdef-configured";
        try (RunningAgent a = RunningAgent.start(dir, "http: {port: 0, token: " + token + "}\n")) {
            assertThat(a.agent.access().generated()).isFalse();
            String api = a.agent.apiUrl() + "/api/v1";
            assertThat(new Http(api).get("/switch").status()).isEqualTo(401);
            assertThat(new Http(api, token).get("/switch").status()).isEqualTo(200);
        }
    }

    @Test
    void loopbackNamesAreRecognised() {
        assertThat(HttpSpec.DEFAULT.loopbackOnly()).isTrue();
        assertThat(HttpSpec.DEFAULT.withHost("localhost").loopbackOnly()).isTrue();
        assertThat(HttpSpec.DEFAULT.withHost("::1").loopbackOnly()).isTrue();
        assertThat(HttpSpec.DEFAULT.withHost("127.0.0.2").loopbackOnly()).isFalse();
        assertThat(HttpSpec.DEFAULT.withHost("0.0.0.0").loopbackOnly()).isFalse();
        assertThat(HttpSpec.DEFAULT.withToken("secret-secret-secret").toString()).doesNotContain("secret");
    }
}
