package io.tapswitch.agent.cli;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigException;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.state.ConfigSecrecy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tapswitch run --config FILE}: runs the switch until SIGINT/SIGTERM. Changes made through
 * the API are written back to FILE, so the next run starts the same switch.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the switch described by a config file.")
public final class RunCommand implements Callable<Integer> {
    /** Printed first on standard output once the API listens; scripts and tests read the URL from it. */
    public static final String API_LINE_PREFIX = "api: ";

    @Option(names = {"-c", "--config"}, required = true,
            description = "Configuration file (YAML or JSON); API changes are saved back to it.")
    Path config;

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg;
        try {
            cfg = new ConfigLoader().load(config);
        } catch (ConfigException e) {
            System.err.println("error: invalid configuration");
            System.err.println(e.getMessage());
            return 2;
        }
        String exposed = ConfigSecrecy.warning(config, cfg);
        if (exposed != null) {
            System.err.println(exposed);
        }
        Shutdown shutdown = new Shutdown();
        Agent agent;
        try {
            agent = Agent.start(cfg, new AgentOptions().setConfigFile(config));
        } catch (Exception e) {
            System.err.println("error: cannot start switch '" + cfg.name() + "': " + e.getMessage());
            String hint = privilegeHint(String.valueOf(e.getMessage()));
            if (hint != null) {
                System.err.println(hint);
            }
            shutdown.cleaned();
            return 1;
        }
        System.out.println(API_LINE_PREFIX + agent.apiUrl() + "/api/v1");
        if (agent.access().generated()) {
            System.out.println("api token (generated; set http.token to fix it): " + agent.access().token());
        }
        System.out.println("tapswitch '" + cfg.name() + "' running with " + cfg.ports().size() + " ports; Ctrl-C stops it.");
        System.out.flush();
        try {
            shutdown.await();
        } finally {
            agent.close();
            shutdown.cleaned();
        }
        return 0;
    }

    /** What to do about a start that failed for want of privilege, or null when it did not. */
    static String privilegeHint(String message) {
        if (message.contains("/dev/net/tun") && message.contains("Permission denied")) {
            return "hint: /dev/net/tun must be readable and writable by the agent's user: Debian's udev makes it"
                    + " 0666 (chmod 0666 /dev/net/tun)";
        }
        if (message.contains("Operation not permitted")) {
            return "hint: the agent needs CAP_NET_ADMIN and CAP_NET_RAW: run it as root or as the tapswitch service"
                    + " (docs/privileges.md)";
        }
        return null;
    }
}
