package io.tapswitch.agent.api;

import io.tapswitch.agent.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ports added with {@code ?transient=true}, as the qemu-ifup script adds the TAP QEMU made, and the
 * auto-attach rules as the API shows them: live like any port, never in the file, and given the
 * VLAN of the rule their name matches when the request names none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransientPortsApiTest {
    private RunningAgent a;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        a = RunningAgent.start(dir, RunningAgent.emptyConfig() + """
                autoAttach:
                  - match: "vm-[a-z]*"
                    vlan: {mode: access, tag: 10}
                  - match: "tr?"
                """);
        a.devices.exist("vm-web0", "vm-db0", "tap7");
    }

    @AfterAll
    void stop() throws Exception {
        a.close();
    }

    @Test
    void rulesAreShownInOrder() {
        Http.Reply r = a.http.get("/auto-attach");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("rules").size()).isEqualTo(2);
        assertThat(r.json().path("rules").get(0).path("match").asText()).isEqualTo("vm-[a-z]*");
        assertThat(r.json().path("rules").get(0).path("vlan").path("tag").asInt()).isEqualTo(10);
        assertThat(r.json().path("rules").get(1).path("vlan").isMissingNode()).isTrue();
    }

    @Test
    void aTransientPortIsLiveShowsItsOwnerAndIsNeverPersisted() throws Exception {
        Http.Reply added = a.http.post("/ports?transient=true",
                "{\"name\":\"tap7\",\"kind\":\"netdev\",\"vlan\":{\"mode\":\"access\",\"tag\":20}}");
        assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
        assertThat(added.json().path("owner").asText()).isEqualTo("api");
        assertThat(a.agent.view().topology().idOf("tap7")).isNotNegative();
        // a port of the file, added after it, is persisted; the transient one still is not
        assertThat(a.http.post("/ports", "{\"name\":\"tsqfile\"}").status()).isEqualTo(201);
        assertThat(a.persisted().port("tsqfile")).isNotNull();
        assertThat(a.persisted().port("tap7")).isNull();
        assertThat(a.http.get("/ports/tsqfile").json().path("owner").isMissingNode()).isTrue();
        assertThat(a.http.delete("/ports/tap7").status()).isEqualTo(204);
        assertThat(a.http.delete("/ports/tsqfile").status()).isEqualTo(204);
    }

    @Test
    void aTransientPortWithoutVlanTakesItsRulesVlan() {
        Http.Reply added = a.http.post("/ports?transient=true", "{\"name\":\"vm-web0\",\"kind\":\"netdev\"}");
        assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
        assertThat(added.json().path("vlan").path("mode").asText()).isEqualTo("access");
        assertThat(added.json().path("vlan").path("tag").asInt()).isEqualTo(10);
        // a VLAN in the request wins over the rule's
        Http.Reply own = a.http.post("/ports?transient=true",
                "{\"name\":\"vm-db0\",\"kind\":\"netdev\",\"vlan\":{\"mode\":\"access\",\"tag\":30}}");
        assertThat(own.json().path("vlan").path("tag").asInt()).isEqualTo(30);
        assertThat(a.http.delete("/ports/vm-web0").status()).isEqualTo(204);
        assertThat(a.http.delete("/ports/vm-db0").status()).isEqualTo(204);
    }

    @Test
    void theCliShowsTheRulesAndAddsTransientPorts() {
        CliRun.Result rules = CliRun.run("ctl", "--url", a.agent.apiUrl(), "auto-attach");
        assertThat(rules.code()).as(rules.err()).isZero();
        assertThat(rules.out()).containsPattern("vm-\\[a-z\\]\\*\\s+access 10").containsPattern("tr\\?\\s+trunk \\(default\\)");
        CliRun.Result add = CliRun.run("ctl", "--url", a.agent.apiUrl(), "port", "add", "tap7", "--kind", "netdev", "--transient");
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(a.agent.controlPlane().ownerOf("tap7")).isEqualTo("api");
        assertThat(a.http.delete("/ports/tap7").status()).isEqualTo(204);
    }

    @Test
    void aBadTransientValueIsA400NamingIt() {
        Http.Reply r = a.http.post("/ports?transient=yes", "{\"name\":\"tap7\",\"kind\":\"netdev\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("transient");
        assertThat(a.agent.view().topology().idOf("tap7")).isNegative();
    }
}
