package io.tapswitch.agent.api;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.MemoryDevices;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An agent started from a real configuration file, with its API on an ephemeral loopback port, for
 * tests that drive it over HTTP. Its ports are in-memory ({@link MemoryDevices}), so it needs no root
 * and leaves nothing in the kernel; its lab state lives in the test's directory.
 */
final class RunningAgent implements AutoCloseable {
    final Path file;
    final Agent agent;
    final Http http;
    final MemoryDevices devices;

    private RunningAgent(Path file, Agent agent, String token, MemoryDevices devices) {
        this.file = file;
        this.agent = agent;
        this.devices = devices;
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
        MemoryDevices devices = new MemoryDevices();
        Agent agent = Agent.start(config, options(file, devices));
        return new RunningAgent(file, agent, agent.access().token(), devices);
    }

    /** Options of a test agent: the file persisted, in-memory ports, lab state next to the file. */
    static AgentOptions options(Path file, MemoryDevices devices) {
        return new AgentOptions().setConfigFile(file).setDeviceOpener(devices)
                .setStateDirectory(file.toAbsolutePath().getParent().resolve("state"));
    }

    /** A minimal config: no ports, API on an ephemeral loopback port. */
    static String emptyConfig() {
        return "name: apitest\nhttp: {port: 0}\n";
    }

    /** Hands {@code frame} to port {@code port} as if it had arrived on its wire; the switch's thread forwards it. */
    void receive(String port, byte[] frame) {
        devices.port(port).inject(frame);
    }

    AgentConfig persisted() throws Exception {
        return new ConfigLoader().load(file);
    }

    @Override
    public void close() throws Exception {
        agent.close();
    }
}
