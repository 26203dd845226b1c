package io.tapswitch.tests.vm;

import io.tapswitch.agent.Main;
import io.tapswitch.agent.lab.Command;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    static synchronized Command.Result run(String url, String group, String... rest) {
        List<String> argv = new ArrayList<>();
        argv.add(group);
        argv.add("--url=" + url);
        argv.addAll(List.of(rest));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int rc;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            rc = Main.commandLine().execute(argv.toArray(String[]::new));
        } finally {
            System.setOut(saved);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        return new Command.Result(argv, rc, out);
    }
}
