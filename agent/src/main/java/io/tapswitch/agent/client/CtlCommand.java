package io.tapswitch.agent.client;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * {@code tapswitch ctl}: drives a running agent through its REST API, so that everything the CLI
 * does can also be done (and scripted) with curl, and nothing needs root or a local socket.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Inspect and change a running switch through its REST API.",
        subcommands = {SwitchInfoCommand.class, PortsCommand.class, PortCommand.class, FdbCommand.class, VlansCommand.class,
                AutoAttachCommand.class,
                FabricCommand.class,
                MirrorCommand.class, TraceCommand.class, StatsCommand.class})
public final class CtlCommand implements Runnable {
    public static final String TOKEN_ENV = "TAPSWITCH_TOKEN";

    @Option(names = "--url", defaultValue = ApiClient.DEFAULT_URL, scope = ScopeType.INHERIT,
            description = "Agent URL (default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${env:" + TOKEN_ENV + "}", scope = ScopeType.INHERIT,
            description = "Bearer token, when the agent requires one (default: $" + TOKEN_ENV + ").")
    String token;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the API's JSON instead of a table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    ApiClient client() {
        return new ApiClient(url, token);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
