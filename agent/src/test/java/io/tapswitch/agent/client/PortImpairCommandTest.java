package io.tapswitch.agent.client;

import io.tapswitch.agent.CliRun;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.impair.Impairment;
import io.tapswitch.core.impair.LinkImpairment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tapswitch ctl port impair} against a real agent. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortImpairCommandTest {
    private CtlAgent agent;

    @BeforeAll
    void start() throws Exception {
        agent = CtlAgent.start("tsimpcli", "name: ctl\nhttp: {port: 0}\nports:\n  - {name: tsimpcli1}\n");
    }

    @AfterAll
    void stop() throws Exception {
        agent.close();
    }

    private LinkImpairment impair() {
        Topology t = agent.view().topology();
        return t.config(t.idOf("tsimpcli1")).impair();
    }

    @Test
    void oneDirectionIsSetAndTheOtherKeptThenBothCleared() {
        CliRun.Result egress = agent.ctl("port", "impair", "tsimpcli1", "--egress", "--delay", "20", "--jitter", "2", "--loss", "10");
        assertThat(egress.code()).as(egress.err()).isZero();
        assertThat(egress.out()).contains("egress delay 20.0 ms, jitter 2.0 ms, loss 10.0 %; ingress none");
        CliRun.Result ingress = agent.ctl("port", "impair", "tsimpcli1", "--ingress", "--rate", "10000");
        assertThat(ingress.code()).as(ingress.err()).isZero();
        assertThat(impair()).isEqualTo(new LinkImpairment(new Impairment(20, 2, 10, 0, 0, 0),
                new Impairment(0, 0, 0, 0, 0, 10_000)));

        assertThat(agent.ctl("port", "impair", "tsimpcli1", "--egress", "--clear").code()).isZero();
        assertThat(impair()).isEqualTo(new LinkImpairment(null, new Impairment(0, 0, 0, 0, 0, 10_000)));
        assertThat(agent.ctl("port", "impair", "tsimpcli1", "--duplicate", "5").code()).isZero();
        assertThat(impair()).isEqualTo(new LinkImpairment(new Impairment(0, 0, 0, 5, 0, 0), new Impairment(0, 0, 0, 5, 0, 0)));
        CliRun.Result cleared = agent.ctl("port", "impair", "tsimpcli1", "--clear");
        assertThat(cleared.out()).contains("impair").contains("off");
        assertThat(impair()).isNull();
    }

    @Test
    void badOrMissingSettingsAreRefused() {
        CliRun.Result refused = agent.ctl("port", "impair", "tsimpcli1", "--egress", "--loss", "150");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("egress.lossPercent");
        CliRun.Result nothing = agent.ctl("port", "impair", "tsimpcli1");
        assertThat(nothing.code()).isNotZero();
        assertThat(nothing.err()).contains("needs a setting");
        assertThat(agent.ctl("port", "impair", "tsimpcli1", "--egress", "--ingress", "--loss", "1").code()).isNotZero();
    }
}
