package io.tapswitch.agent.api;

import io.tapswitch.agent.config.DatapathSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The configuration file's datapath section reaches the switch and survives the agent's own writes. */
class DatapathConfigTest {
    private static final String PORTS = "ports: [{name: tsdpa}, {name: tsdpb}, {name: tsdpc}, {name: tsdpd}]\n";

    @Test
    void withoutTheSectionOneLoopReadsEveryPort(@TempDir Path dir) throws Exception {
        try (RunningAgent a = RunningAgent.start(dir, RunningAgent.emptyConfig() + PORTS)) {
            assertThat(a.agent.view().threads()).extracting(Thread::getName).containsExactly("tapswitch-loop-0");
        }
    }

    @Test
    void theConfiguredThreadsShareThePortsAndTheSectionIsKept(@TempDir Path dir) throws Exception {
        int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        String yaml = RunningAgent.emptyConfig() + PORTS + "datapath: {threads: " + threads + ", spinMicros: 20}\n";
        try (RunningAgent a = RunningAgent.start(dir, yaml)) {
            assertThat(a.agent.view().threads()).hasSize(threads);
            assertThat(a.http.post("/ports", "{\"name\":\"tsdpe\"}").status()).isEqualTo(201);
            assertThat(a.persisted().datapath()).isEqualTo(new DatapathSpec(threads, 20));
            assertThat(a.agent.view().threads()).as("a port more, no thread more").hasSize(threads);
        }
    }
}
