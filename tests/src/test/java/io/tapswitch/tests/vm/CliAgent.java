package io.tapswitch.tests.vm;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.lab.GuestImage;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent that the VM tests acting as a user talk to through {@link Cli}: started in the test's
 * JVM with no ports of its own and its API on an ephemeral port, after the guest image is built, so
 * that whatever the lab needs comes from {@code tapswitch vm} commands alone. Stopping it must leave
 * none of the lab's TAPs on the host, which is what a user would otherwise find left behind.
 */
final class CliAgent {
    private CliAgent() {
    }

    /** Builds the guest image when needed, then starts an agent named {@code name}. */
    static Agent start(String name) throws Exception {
        GuestImage.build();
        return Agent.start(new AgentConfig(name, null, null, HttpSpec.EPHEMERAL, List.of(), null, null));
    }

    /** Stops {@code agent} (null when it never started) and checks that it took the lab's TAPs with it. */
    static void stop(Agent agent, List<String> taps) throws Exception {
        if (agent != null) {
            agent.close();
        }
        assertTapsRemoved(taps);
    }

    /** Fails naming the first of {@code taps} still on the host. */
    static void assertTapsRemoved(List<String> taps) {
        for (String tap : taps) {
            assertThat(NetDevice.exists(tap)).as("TAP %s removed", tap).isFalse();
        }
    }
}
