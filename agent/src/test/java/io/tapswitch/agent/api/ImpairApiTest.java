package io.tapswitch.agent.api;

import io.tapswitch.agent.config.ConfigException;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.config.ImpairSpec;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.impair.Impairment;
import io.tapswitch.core.impair.LinkImpairment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Link impairments set over the API: applied live through the control plane, persisted, shown, cleared. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImpairApiTest {
    private RunningAgent a;

    @BeforeAll
    void start() throws Exception {
        a = RunningAgent.start(Files.createTempDirectory("tsimp"), """
                name: impair
                http: {port: 0}
                ports:
                  - {name: tsimp1}
                  - {name: tsimp2, impair: {ingress: {delayMs: 5, jitterMs: 1}}}
                """);
    }

    @AfterAll
    void stop() throws Exception {
        a.close();
    }

    @Test
    void anImpairmentAppliesLivePersistsShowsAndClears() throws Exception {
        SwitchView sw = a.agent.view();
        int id2 = sw.topology().idOf("tsimp2");
        assertThat(sw.topology().config(id2).impair())
                .as("from the config file").isEqualTo(LinkImpairment.of(null, new Impairment(5, 1, 0, 0, 0, 0)));
        assertThat(a.http.get("/ports/tsimp2").json().path("impair").toString())
                .isEqualTo("{\"ingress\":{\"delayMs\":5.0,\"jitterMs\":1.0}}");

        Http.Reply set = a.http.put("/ports/tsimp1/impair", "{\"egress\":{\"lossPercent\":100,\"rateKbit\":10000}}");
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().path("impair").path("egress").path("lossPercent").asDouble()).isEqualTo(100);
        int id1 = sw.topology().idOf("tsimp1");
        assertThat(sw.topology().config(id1).impair().egress()).isEqualTo(new Impairment(0, 0, 100, 0, 0, 10_000));
        assertThat(a.persisted().port("tsimp1").impair())
                .isEqualTo(new ImpairSpec(new ImpairSpec.Direction(null, null, 100.0, null, null, 10_000L), null));

        // On the wire: every frame towards tsimp1 is lost, and counted so.
        a.receive("tsimp2", ProbeFrame.build(MacAddress.BROADCAST, MacAddress.parse("02:00:00:00:0f:01"), -1, 0, 0x0800));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                sw.topology().port(id1).stats().txDrops(Reason.DROP_IMPAIR_LOSS) == 1);

        Http.Reply cleared = a.http.put("/ports/tsimp1/impair", "{}");
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.json().has("impair")).isFalse();
        assertThat(sw.topology().config(id1).impair()).isNull();
        assertThat(a.persisted().port("tsimp1").impair()).isNull();
        assertThat(a.http.put("/ports/tsimp1/impair", "{\"egress\":{\"lossPercent\":0}}").json().has("impair")).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"egress\":{\"lossPercent\":101}}|egress.lossPercent",
            "{\"egress\":{\"lossPercent\":\"ten\"}}|egress.lossPercent",
            "{\"ingress\":{\"delayMs\":5,\"jitterMs\":6,\"rateKbit\":7}}|ingress.jitterMs;ingress.rateKbit",
            "{\"egress\":{\"reorderPercent\":5}}|egress.reorderPercent",
            "{\"egress\":{\"rateKbit\":1.5}}|egress.rateKbit",
            "{\"egress\":{\"delayMs\":10001,\"duplicatePercent\":-1}}|egress.delayMs;egress.duplicatePercent",
            "{\"egress\":{\"colour\":1}}|egress.colour",
            "{\"both\":{}}|both",
    })
    void badSettingsAreRefusedNamingTheField(String body, String fields) {
        Http.Reply r = a.http.put("/ports/tsimp1/impair", body);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(400);
        assertThat(r.fields()).as(r.raw().body()).containsExactlyInAnyOrder(fields.split(";"));
        assertThat(a.agent.view().topology().config(a.agent.view().topology().idOf("tsimp1")).impair()).isNull();
    }

    @Test
    void anUnknownPortIs404() {
        assertThat(a.http.put("/ports/nosuch/impair", "{}").status()).isEqualTo(404);
    }

    @Test
    void theConfigFileNamesTheBadField() {
        assertThatThrownBy(() -> new ConfigLoader().parse("c.yaml", """
                ports:
                  - {name: a1}
                  - {name: a2, impair: {egress: {lossPercent: 200}}}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("c.yaml: ports[1].impair.egress.lossPercent: must be 0 to 100 %, was 200.0");
        assertThatThrownBy(() -> new ConfigLoader().parse("c.yaml", """
                ports:
                  - {name: a2, impair: {ingress: {rateKbit: fast}}}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("ports[0].impair.ingress.rateKbit");
    }
}
