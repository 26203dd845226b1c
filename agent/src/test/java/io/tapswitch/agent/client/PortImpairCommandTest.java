package io.tapswitch.agent.client;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.CliRun;
import io.tapswitch.agent.MemoryDevices;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.impair.Impairment;
import io.tapswitch.core.impair.LinkImpairment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tapswitch ctl port impair} against a real agent. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortImpairCommandTest {
    private Agent agent;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("tsimpcli");
        Path file = dir.resolve("switch.yaml");
        Files.writeString(file, "name: ctl\nhttp: {port: 0}\nports:\n  - {name: tsimpcli1}\n");
        AgentConfig config = new ConfigLoader().load(file);
        agent = Agent.start(config, new AgentOptions().setConfigFile(file).setDeviceOpener(new MemoryDevices())
                .setStateDirectory(dir.resolve("state")));
    }

    @AfterAll
    void stop() throws Exception {
        agent.close();
    }

    private CliRun.Result ctl(String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "ctl";
        full[1] = "--url";
        full[2] = agent.apiUrl();
        System.arraycopy(args, 0, full, 3, args.length);
        return CliRun.run(full);
    }

    private LinkImpairment impair() {
        Topology t = agent.view().topology();
        return t.config(t.idOf("tsimpcli1")).impair();
    }

    @Test
    void oneDirectionIsSetAndTheOtherKeptThenBothCleared() {
        CliRun.Result egress = ctl("port", "impair", "tsimpcli1", "--egress", "--delay", "20", "--jitter", "2", "--loss", "10");
        assertThat(egress.code()).as(egress.err()).isZero();
        assertThat(egress.out()).contains("egress delay 20.0 ms, jitter 2.0 ms, loss 10.0 %; ingress none");
        CliRun.Result ingress = ctl("port", "impair", "tsimpcli1", "--ingress", "--rate", "10000");
        assertThat(ingress.code()).as(ingress.err()).isZero();
        assertThat(impair()).isEqualTo(new LinkImpairment(new Impairment(20, 2, 10, 0, 0, 0),
                new Impairment(0, 0, 0, 0, 0, 10_000)));

        assertThat(ctl("port", "impair", "tsimpcli1", "--egress", "--clear").code()).isZero();
        assertThat(impair()).isEqualTo(new LinkImpairment(null, new Impairment(0, 0, 0, 0, 0, 10_000)));
        assertThat(ctl("port", "impair", "tsimpcli1", "--duplicate", "5").code()).isZero();
        assertThat(impair()).isEqualTo(new LinkImpairment(new Impairment(0, 0, 0, 5, 0, 0), new Impairment(0, 0, 0, 5, 0, 0)));
        CliRun.Result cleared = ctl("port", "impair", "tsimpcli1", "--clear");
        assertThat(cleared.out()).contains("impair").contains("off");
        assertThat(impair()).isNull();
    }

    @Test
    void badOrMissingSettingsAreRefused() {
        CliRun.Result refused = ctl("port", "impair", "tsimpcli1", "--egress", "--loss", "150");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("egress.lossPercent");
        CliRun.Result nothing = ctl("port", "impair", "tsimpcli1");
        assertThat(nothing.code()).isNotZero();
        assertThat(nothing.err()).contains("needs a setting");
        assertThat(ctl("port", "impair", "tsimpcli1", "--egress", "--ingress", "--loss", "1").code()).isNotZero();
    }
}
