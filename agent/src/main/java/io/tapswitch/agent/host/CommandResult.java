package io.tapswitch.agent.host;

import java.util.List;

/**
 * The outcome of one command, run on the machine or inside a lab host or namespace.
 *
 * <p>Callers often need to judge a failure as much as a success (a ping that must not get
 * through, a device that may already be gone), so the exit code and both streams are kept
 * together instead of being turned into an exception straight away.
 *
 * @param argv the command as it was run, for messages
 * @param exitCode the process's exit status
 * @param stdout everything the command wrote to standard output
 * @param stderr everything the command wrote to standard error
 */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {

    public CommandResult {
        argv = List.copyOf(argv);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Standard output followed by standard error, for callers that look for a line in either. */
    public String output() {
        return stderr.isEmpty() ? stdout : stdout + stderr;
    }

    /**
     * Returns this result when the command succeeded, so that setup steps can be chained
     * without each caller repeating the same error message.
     *
     * @throws IllegalStateException naming the command, its exit code and its output when it failed
     */
    public CommandResult orThrow() {
        if (!succeeded()) {
            throw new IllegalStateException(describe());
        }
        return this;
    }

    /** A one-paragraph account of the run, meant for assertion and exception messages. */
    public String describe() {
        return String.join(" ", argv) + " exited " + exitCode
                + (stdout.isBlank() ? "" : "\nstdout: " + stdout.strip())
                + (stderr.isBlank() ? "" : "\nstderr: " + stderr.strip());
    }
}
