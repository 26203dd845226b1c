package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.agent.vm.LabCheck;
import io.tapswitch.agent.vm.LabFile;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * {@code exec: {vm, command, expectExit, expectOutput}}: a shell command in a guest passes when it
 * exits with the expected status and, if a pattern is given, its output contains a match.
 */
final class ExecCheck implements Probe {
    /** How long a command may run. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int SHOWN = 160;

    private final LabCheck.Exec exec;
    private final Set<String> vms;

    ExecCheck(LabFile lab, LabCheck check) {
        this.exec = check.exec();
        this.vms = check.vms(lab);
    }

    @Override
    public Set<String> vms() {
        return vms;
    }

    @Override
    public Outcome run(GuestShell shell) throws IOException, TimeoutException {
        GuestConsole.Result r = shell.exec(exec.vm(), exec.command(), TIMEOUT);
        boolean exitOk = r.exitCode() == exec.effectiveExpectExit();
        java.util.regex.Matcher match = exec.expectOutput() == null ? null : Pattern.compile(exec.expectOutput()).matcher(r.output());
        boolean outputOk = match == null || match.find();
        String output = r.output().strip().replaceAll("\\s*\n\\s*", " | ");
        if (match != null && outputOk) {
            // show the line that matched, not the start of a long output
            int from = r.output().lastIndexOf('\n', Math.max(0, match.start() - 1)) + 1;
            int to = r.output().indexOf('\n', match.end());
            output = "/" + exec.expectOutput() + "/ matched: "
                    + r.output().substring(from, to < 0 ? r.output().length() : to).strip().replaceAll("\\s*\n\\s*", " | ");
        }
        if (output.length() > SHOWN) {
            output = output.substring(0, SHOWN) + "...";
        }
        StringBuilder evidence = new StringBuilder("exit " + r.exitCode());
        if (!exitOk) {
            evidence.append(" (expected ").append(exec.effectiveExpectExit()).append(')');
        }
        if (!outputOk) {
            evidence.append(", no match for /").append(exec.expectOutput()).append('/');
        }
        evidence.append(", output: ").append(output.isEmpty() ? "(none)" : output);
        return Outcome.of(exitOk && outputOk, evidence.toString());
    }
}
