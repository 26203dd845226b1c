package io.tapswitch.agent.api;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.SecuritySpec;
import io.tapswitch.agent.config.StaticMacSpec;
import io.tapswitch.agent.config.StormSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.PortSecurity;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.engine.StormControl;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every route, against a real agent on loopback with in-memory ports. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiRoutesTest {
    private RunningAgent a;
    private Http http;
    private Path dir;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("tsapi");
        a = RunningAgent.start(dir, RunningAgent.emptyConfig());
        http = a.http;
    }

    @AfterAll
    void stop() throws Exception {
        a.close();
    }

    private long revision() {
        return http.get("/switch").json().path("revision").asLong();
    }

    private void addPort(String name) {
        assertThat(http.post("/ports", "{\"name\":\"" + name + "\"}").status()).isEqualTo(201);
    }

    @Test
    void switchInfoCarriesTheRevisionAsEtag() {
        Http.Reply r = http.get("/switch");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("name").asText()).isEqualTo("apitest");
        assertThat(r.json().path("fdb").path("capacity").asInt()).isEqualTo(8192);
        assertThat(r.header("ETag")).isEqualTo("\"" + r.json().path("revision").asLong() + "\"");
        assertThat(r.json().path("configFile").asText()).isEqualTo(a.file.toAbsolutePath().toString());
    }

    @Test
    void patchingAgingAppliesLiveAndPersists() throws Exception {
        long before = revision();
        Http.Reply r = http.patch("/switch", "{\"agingSeconds\":120}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("agingSeconds").asInt()).isEqualTo(120);
        assertThat(r.json().path("revision").asLong()).isEqualTo(before + 1);
        assertThat(a.agent.view().fdb().agingMillis()).isEqualTo(120_000);
        assertThat(a.persisted().agingSeconds()).isEqualTo(120);
    }

    @Test
    void ifMatchMakesAChangeConditionalOnTheRevision() throws Exception {
        long rev = revision();
        Http.Reply stale = http.send("PATCH", "/switch", "{\"agingSeconds\":77}", "\"" + (rev - 1) + "\"");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().path("errors").get(0).path("reason").asText()).contains("stale");
        assertThat(a.persisted().agingSeconds()).isNotEqualTo(77);
        Http.Reply fresh = http.send("PATCH", "/switch", "{\"agingSeconds\":77}", "\"" + rev + "\"");
        assertThat(fresh.status()).isEqualTo(200);
        assertThat(fresh.header("ETag")).isEqualTo("\"" + (rev + 1) + "\"");
    }

    @Test
    void portLifecycle() throws Exception {
        Http.Reply added = http.post("/ports", "{\"name\":\"tsapi1\",\"vlan\":{\"mode\":\"trunk\",\"trunks\":\"10,20-29\"}}");
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.header("Location")).isEqualTo("/api/v1/ports/tsapi1");
        assertThat(added.json().path("kind").asText()).isEqualTo("tap");
        assertThat(added.json().path("vlan").path("trunks").asText()).isEqualTo("10,20-29");
        assertThat(a.devices.exists("tsapi1")).isTrue();

        assertThat(http.get("/ports").json().path("ports").findValuesAsText("name")).contains("tsapi1");
        assertThat(http.get("/ports/tsapi1").json().path("operUp").asBoolean()).isTrue();

        Http.Reply down = http.put("/ports/tsapi1/admin", "{\"enabled\":false}");
        assertThat(down.status()).isEqualTo(200);
        assertThat(down.json().path("enabled").asBoolean()).isFalse();
        SwitchView sw = a.agent.view();
        assertThat(sw.topology().config(sw.topology().idOf("tsapi1")).adminUp()).isFalse();

        Http.Reply access = http.put("/ports/tsapi1/vlan", "{\"mode\":\"access\",\"tag\":10}");
        assertThat(access.status()).isEqualTo(200);
        assertThat(sw.topology().config(sw.topology().idOf("tsapi1")).vlan()).isEqualTo(VlanConfig.access(10));
        AgentConfig saved = a.persisted();
        assertThat(saved.port("tsapi1").vlan()).isEqualTo(new VlanSpec("access", 10, null, null));
        assertThat(saved.port("tsapi1").enabled()).isFalse();

        Http.Reply removed = http.delete("/ports/tsapi1");
        assertThat(removed.status()).isEqualTo(204);
        assertThat(http.get("/ports/tsapi1").status()).isEqualTo(404);
        assertThat(sw.topology().idOf("tsapi1")).isEqualTo(-1);
        assertThat(a.devices.exists("tsapi1")).isFalse();
        assertThat(a.persisted().port("tsapi1")).isNull();
    }

    @Test
    void portSecurityAndStormControlApplyLiveAndPersist() throws Exception {
        Http.Reply added = http.post("/ports", "{\"name\":\"tsapie\",\"storm\":{\"broadcastPps\":500}}");
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.json().path("storm").path("broadcastPps").asInt()).isEqualTo(500);
        assertThat(added.json().has("security")).isFalse();
        SwitchView sw = a.agent.view();
        int id = sw.topology().idOf("tsapie");
        assertThat(sw.topology().config(id).storm()).isEqualTo(new StormControl(500, 0, 0));

        long rev = revision();
        Http.Reply secured = http.put("/ports/tsapie/security", "{\"maxMacs\":2,\"violation\":\"drop\"}");
        assertThat(secured.status()).isEqualTo(200);
        assertThat(secured.header("ETag")).isEqualTo("\"" + (rev + 1) + "\"");
        assertThat(secured.json().path("security").path("violation").asText()).isEqualTo("drop");
        assertThat(sw.topology().config(id).security()).isEqualTo(new PortSecurity(2, PortSecurity.Violation.DROP));
        Http.Reply stormed = http.put("/ports/tsapie/storm", "{\"multicastPps\":7,\"unknownUnicastPps\":8}");
        assertThat(stormed.json().path("storm").toString()).isEqualTo("{\"broadcastPps\":0,\"multicastPps\":7,\"unknownUnicastPps\":8}");
        assertThat(sw.topology().config(id).storm()).isEqualTo(new StormControl(0, 7, 8));
        assertThat(a.persisted().port("tsapie").security()).isEqualTo(new SecuritySpec(2, "drop"));
        assertThat(a.persisted().port("tsapie").storm()).isEqualTo(new StormSpec(0, 7, 8));

        // the limit holds on the wire: a third station on the port is dropped and counted
        for (int i = 1; i <= 3; i++) {
            a.receive("tsapie", ProbeFrame.build(MacAddress.BROADCAST, MacAddress.parse("02:00:00:00:0e:0" + i), -1, 0, 0x0800));
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                sw.topology().port(id).stats().decisions(Reason.DROP_PORT_SECURITY) == 1);
        assertThat(sw.fdb().entriesOf(id)).isEqualTo(2);

        assertThat(http.put("/ports/tsapie/security", "{}").json().has("security")).isFalse();
        assertThat(http.put("/ports/tsapie/storm", "{\"broadcastPps\":0}").json().has("storm")).isFalse();
        assertThat(sw.topology().config(id).storm().enabled()).isFalse();
        assertThat(a.persisted().port("tsapie").storm()).isNull();
        assertThat(http.delete("/ports/tsapie").status()).isEqualTo(204);
    }

    @Test
    void addingAPortTwiceConflicts() {
        addPort("tsapi2");
        long rev = revision();
        Http.Reply again = http.post("/ports", "{\"name\":\"tsapi2\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(revision()).isEqualTo(rev);
    }

    @Test
    void fdbListsFiltersFlushesAndPinsEntries() throws Exception {
        addPort("tsapi3");
        SwitchView sw = a.agent.view();
        int id = sw.topology().idOf("tsapi3");
        a.receive("tsapi3", ProbeFrame.build(MacAddress.BROADCAST, MacAddress.parse("02:00:00:00:03:01"), 7, 0, 0x0800));
        a.receive("tsapi3", ProbeFrame.build(MacAddress.BROADCAST, MacAddress.parse("02:00:00:00:03:02"), 8, 0, 0x0800));
        await().atMost(Duration.ofSeconds(5)).until(() -> sw.fdb().lookup(8, MacAddress.parse("02:00:00:00:03:02")) == id
                && sw.fdb().lookup(7, MacAddress.parse("02:00:00:00:03:01")) == id);

        Http.Reply pinned = http.post("/fdb/static", "{\"mac\":\"02:00:00:00:03:AA\",\"vlan\":7,\"port\":\"tsapi3\"}");
        assertThat(pinned.status()).isEqualTo(201);
        assertThat(pinned.json().path("mac").asText()).isEqualTo("02:00:00:00:03:aa");
        assertThat(a.persisted().staticMacs()).contains(new StaticMacSpec("02:00:00:00:03:aa", 7, "tsapi3"));
        assertThat(http.post("/fdb/static", "{\"mac\":\"02:00:00:00:03:aa\",\"vlan\":7,\"port\":\"tsapi3\"}").status()).isEqualTo(409);
        assertThat(http.get("/fdb/static").json().path("staticMacs").findValuesAsText("mac")).contains("02:00:00:00:03:aa");

        assertThat(http.get("/fdb?port=tsapi3").json().path("entries").findValuesAsText("mac"))
                .contains("02:00:00:00:03:01", "02:00:00:00:03:02", "02:00:00:00:03:aa");
        assertThat(http.get("/fdb?port=tsapi3&vlan=7").json().path("entries").findValuesAsText("mac"))
                .containsExactlyInAnyOrder("02:00:00:00:03:01", "02:00:00:00:03:aa");
        Http.Reply one = http.get("/fdb?mac=02:00:00:00:03:aa");
        assertThat(one.json().path("entries")).hasSize(1);
        assertThat(one.json().path("entries").get(0).path("static").asBoolean()).isTrue();
        assertThat(one.json().path("entries").get(0).path("port").asText()).isEqualTo("tsapi3");

        Http.Reply flushed = http.delete("/fdb?port=tsapi3&vlan=8");
        assertThat(flushed.json().path("flushed").asInt()).isEqualTo(1);
        assertThat(http.delete("/fdb?port=tsapi3").json().path("flushed").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(http.get("/fdb?port=tsapi3").json().path("entries").findValuesAsText("mac"))
                .contains("02:00:00:00:03:aa").doesNotContain("02:00:00:00:03:01", "02:00:00:00:03:02");

        assertThat(http.delete("/fdb/static/7/02:00:00:00:03:aa").status()).isEqualTo(204);
        assertThat(http.delete("/fdb/static/7/02:00:00:00:03:aa").status()).isEqualTo(404);
        assertThat(sw.fdb().lookup(7, MacAddress.parse("02:00:00:00:03:aa"))).isEqualTo(-1);
        assertThat(a.persisted().staticMacs()).isEmpty();
    }

    @Test
    void removingAPortDropsItsStaticEntries() throws Exception {
        addPort("tsapi9");
        assertThat(http.post("/fdb/static", "{\"mac\":\"02:00:00:00:09:01\",\"port\":\"tsapi9\"}").status()).isEqualTo(201);
        assertThat(http.delete("/ports/tsapi9").status()).isEqualTo(204);
        assertThat(a.persisted().staticMacs()).noneMatch(s -> s.port().equals("tsapi9"));
        assertThat(a.agent.view().fdb().lookup(0, MacAddress.parse("02:00:00:00:09:01"))).isEqualTo(-1);
    }

    @Test
    void vlanMembershipIsComputedFromPorts() {
        addPort("tsapi4");
        addPort("tsapi5");
        addPort("tsapid");
        http.put("/ports/tsapi4/vlan", "{\"mode\":\"access\",\"tag\":410}");
        http.put("/ports/tsapi5/vlan", "{\"mode\":\"native-untagged\",\"tag\":410,\"trunks\":\"410-411\"}");
        Http.Reply r = http.get("/vlans");
        assertThat(r.status()).isEqualTo(200);
        var vlans = r.json().path("vlans");
        var v410 = java.util.stream.StreamSupport.stream(vlans.spliterator(), false)
                .filter(v -> v.path("vlan").asInt() == 410).findFirst().orElseThrow();
        assertThat(v410.path("untagged").findValuesAsText("")).isEmpty();
        assertThat(v410.toString()).contains("\"untagged\":[\"tsapi4\",\"tsapi5\"]");
        var v411 = java.util.stream.StreamSupport.stream(vlans.spliterator(), false)
                .filter(v -> v.path("vlan").asInt() == 411).findFirst().orElseThrow();
        assertThat(v411.path("tagged").findValuesAsText("")).isEmpty();
        assertThat(v411.path("tagged").toString()).contains("\"tsapi5\"").doesNotContain("tsapi4");
        assertThat(r.json().path("allVlans").toString()).contains("tsapid").doesNotContain("tsapi4", "tsapi5");
    }

    @Test
    void mirrorsCrud() throws Exception {
        addPort("tsapi6");
        addPort("tsapi7");
        Http.Reply added = http.post("/mirrors", "{\"name\":\"m1\",\"srcPorts\":[\"tsapi6\"],\"outputPort\":\"tsapi7\"}");
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.json().path("config").path("outputPort").asText()).isEqualTo("tsapi7");
        assertThat(added.json().path("stats").path("copied").asLong()).isZero();
        assertThat(a.agent.view().topology().mirrorConfigs()).extracting(m -> m.name()).contains("m1");
        assertThat(http.post("/mirrors", "{\"name\":\"m1\",\"all\":true,\"outputVlan\":9}").status()).isEqualTo(409);
        assertThat(http.get("/mirrors").json().path("mirrors").findValuesAsText("name")).contains("m1");
        assertThat(http.get("/mirrors/m1").status()).isEqualTo(200);
        assertThat(http.delete("/ports/tsapi7").status()).isEqualTo(409);

        Http.Reply replaced = http.put("/mirrors/m1", "{\"name\":\"m1\",\"dstPorts\":[\"tsapi6\"],\"outputVlan\":99,\"snaplen\":128}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(a.persisted().mirrors()).containsExactly(new MirrorSpec("m1", java.util.List.of(), java.util.List.of("tsapi6"),
                "", false, null, 99, 128));
        assertThat(a.agent.view().topology().mirrorConfigs().get(0).outputVlan()).isEqualTo(99);

        assertThat(http.delete("/mirrors/m1").status()).isEqualTo(204);
        assertThat(http.get("/mirrors/m1").status()).isEqualTo(404);
        assertThat(a.agent.view().topology().mirrorConfigs()).isEmpty();
        assertThat(a.persisted().mirrors()).isEmpty();
    }

    @Test
    void statsCarryPortAndFdbCounters() {
        addPort("tsapi8");
        Http.Reply r = http.get("/stats");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("ports").findValuesAsText("name")).contains("tsapi8");
        assertThat(r.json().path("fdb").has("learned")).isTrue();
        assertThat(r.json().path("ports").get(0).has("decisions")).isTrue();
        assertThat(r.json().path("ports").get(0).has("txDrops")).isTrue();
    }

    @Test
    void traceDecidesWithoutLearningOrSending() {
        addPort("tsapia");
        addPort("tsapib");
        http.post("/fdb/static", "{\"mac\":\"02:00:00:00:0b:01\",\"port\":\"tsapib\"}");
        SwitchView sw = a.agent.view();
        Http.Reply r = http.post("/trace", "{\"inPort\":\"tsapia\",\"src\":\"02:00:00:00:0a:01\",\"dst\":\"02:00:00:00:0b:01\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("verdict").asText()).isEqualTo("FORWARD_UNICAST");
        assertThat(r.json().path("drop").asBoolean()).isFalse();
        assertThat(r.json().path("egress").findValuesAsText("")).isEmpty();
        assertThat(r.json().path("egress").toString()).isEqualTo("[\"tsapib\"]");
        assertThat(r.json().path("steps").size()).isGreaterThan(2);
        assertThat(sw.fdb().lookup(0, MacAddress.parse("02:00:00:00:0a:01"))).isEqualTo(-1);

        Http.Reply tagged = http.post("/trace", "{\"inPort\":\"tsapia\",\"src\":\"02:00:00:00:0a:01\",\"dst\":\"ff:ff:ff:ff:ff:ff\",\"vlan\":30,\"pcp\":5,\"ethertype\":34525}");
        assertThat(tagged.json().path("vlan").asInt()).isEqualTo(30);
        assertThat(tagged.json().path("verdict").asText()).isEqualTo("FLOOD_BROADCAST");
    }

    @Test
    void servesItsOpenApiDocument() {
        Http.Reply r = http.get("/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("openapi").asText()).startsWith("3.");
    }

    @Test
    void eventStreamAnswersAsServerSentEvents() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var res = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(a.agent.apiUrl() + "/api/v1/events")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        res.body().close();
    }

    @Test
    void exportsPrometheusMetrics() {
        addPort("tsapic");
        Http.Reply r = new Http(a.agent.apiUrl()).get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        String text = r.raw().body();
        assertThat(text).contains("tapswitch_port_rx_packets_total{port=\"tsapic\"}");
        assertThat(text).contains("tapswitch_port_decisions_total{drop=\"true\",port=\"tsapic\",reason=\"DROP_NO_EGRESS\"}");
        assertThat(text).contains("tapswitch_fdb_learned_total");
        assertThat(text).contains("vertx_http_server");
    }

    @Test
    void servesTheConsoleFromTheClasspathWebroot() {
        Http.Reply r = new Http(a.agent.apiUrl()).get("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void unknownRoutesAndMethodsAnswerWithJsonErrors() {
        Http.Reply missing = http.get("/nothing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("errors").isArray()).isTrue();
        Http.Reply method = http.send("POST", "/switch", "{}", null);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.json().path("errors").isArray()).isTrue();
    }

    @Test
    void vlanSetParsingMatchesTheEngine() {
        assertThat(VlanSet.parse("10,20-29").toString()).isEqualTo("10,20-29");
    }
}
