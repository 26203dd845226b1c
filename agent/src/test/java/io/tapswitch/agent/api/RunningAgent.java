package io.tapswitch.agent.api;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.core.sys.NetDevice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent started from a real configuration file, with its API on an ephemeral loopback port,
 * for tests that drive it over HTTP. TAPs the tests create are named {@value #TAP_PREFIX}* and
 * removed on close even when a test fails halfway.
 */
final class RunningAgent implements AutoCloseable {
    static final String TAP_PREFIX = "tsapi";

    final Path file;
    final Agent agent;
    final Http http;

    private RunningAgent(Path file, Agent agent, String token) {
        this.file = file;
        this.agent = agent;
        this.http = new Http(agent.apiUrl() + "/api/v1", token);
    }

    /** Writes {@code yaml} to {@code dir/switch.yaml} and starts an agent from it. */
    static RunningAgent start(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("switch.yaml");
        Files.writeString(file, yaml);
        return start(file);
    }

    static RunningAgent start(Path file) throws Exception {
        AgentConfig config = new ConfigLoader().load(file);
        Agent agent = Agent.start(config, file);
        return new RunningAgent(file, agent, agent.access().token());
    }

    /** A minimal config: no ports, API on an ephemeral loopback port. */
    static String emptyConfig() {
        return "name: apitest\nhttp: {port: 0}\n";
    }

    AgentConfig persisted() throws Exception {
        return new ConfigLoader().load(file);
    }

    @Override
    public void close() throws Exception {
        agent.close();
        removeTestTaps();
    }

    static void removeTestTaps() throws Exception {
        List<String> leftovers = new ArrayList<>();
        try (var names = Files.list(Path.of("/sys/class/net"))) {
            names.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(TAP_PREFIX)).forEach(leftovers::add);
        }
        for (String name : leftovers) {
            if (NetDevice.exists(name)) {
                new ProcessBuilder("ip", "link", "del", name).inheritIO().start().waitFor();
            }
        }
    }
}
