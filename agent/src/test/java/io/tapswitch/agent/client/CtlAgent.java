package io.tapswitch.agent.client;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.CliRun;
import io.tapswitch.agent.MemoryDevices;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.state.SwitchView;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real agent for tests of the {@code tapswitch ctl} commands: started from a switch file, on
 * in-memory devices and an ephemeral HTTP port, so the commands cross the same API a user's would
 * while the test reads the switch's state directly to check what they changed.
 */
final class CtlAgent implements AutoCloseable {
    private final Agent agent;

    private CtlAgent(Agent agent) {
        this.agent = agent;
    }

    /**
     * Starts an agent configured by {@code switchYaml} in a new temporary directory named after
     * {@code prefix}, which also holds its state.
     */
    static CtlAgent start(String prefix, String switchYaml) throws Exception {
        Path dir = Files.createTempDirectory(prefix);
        Path file = dir.resolve("switch.yaml");
        Files.writeString(file, switchYaml);
        return new CtlAgent(Agent.start(new ConfigLoader().load(file), new AgentOptions().setConfigFile(file)
                .setDeviceOpener(new MemoryDevices()).setStateDirectory(dir.resolve("state"))));
    }

    /** Runs {@code tapswitch ctl --url AGENT args...} as a user would type it. */
    CliRun.Result ctl(String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "ctl";
        full[1] = "--url";
        full[2] = agent.apiUrl();
        System.arraycopy(args, 0, full, 3, args.length);
        return CliRun.run(full);
    }

    /** The switch as the agent sees it, to check what a command changed. */
    SwitchView view() {
        return agent.view();
    }

    @Override
    public void close() throws Exception {
        agent.close();
    }
}
