package io.tapswitch.tests.vm;

import io.tapswitch.agent.CliRun;
import io.tapswitch.agent.host.CommandResult;

import java.util.ArrayList;
import java.util.List;

/** Runs {@code tapswitch} subcommands in the test's JVM against an agent, as a user would type them. */
final class Cli {
    private Cli() {
    }

    /**
     * Runs {@code tapswitch GROUP --url=URL REST...}, for example {@code vm up FILE}; returns the
     * exit status and what the command printed on standard output (also echoed to the test log).
     */
    static CommandResult run(String url, String group, String... rest) {
        List<String> argv = new ArrayList<>();
        argv.add(group);
        argv.add("--url=" + url);
        argv.addAll(List.of(rest));
        CliRun.Result r = CliRun.run(argv.toArray(String[]::new));
        System.out.print(r.out());
        System.err.print(r.err());
        return new CommandResult(argv, r.code(), r.out(), r.err());
    }
}
