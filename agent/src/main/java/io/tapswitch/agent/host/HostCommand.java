package io.tapswitch.agent.host;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program on this machine, such as {@code ip}, {@code sysctl} or {@code tcpdump}: the one
 * command runner of the agent, its demo, its VM labs and the integration tests.
 *
 * <p>Arguments are always passed as a list straight to {@code execve}, never through a shell, so
 * that interface names and addresses taken from configuration files or API calls can never be
 * read as shell syntax. Standard input is {@code /dev/null}, so a tool that asks a question fails
 * instead of waiting. Every run has a time limit, because a hung network tool would otherwise
 * stall an API request, a lab, or a whole test run until its deadline.
 */
public final class HostCommand {
    /** How long a run may take unless the caller says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Output is read on dedicated threads: the common fork-join pool has a single worker on a
     * two-core machine, and a child filling one pipe while the other is being read would hang.
     */
    private static final ExecutorService OUTPUT_READERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "host-command-output");
        thread.setDaemon(true);
        return thread;
    });

    private HostCommand() {
    }

    /** Runs the command and returns its result whatever the exit code. */
    public static CommandResult run(String... argv) {
        return run(DEFAULT_TIMEOUT, List.of(argv));
    }

    /** Runs the command and returns its result whatever the exit code. */
    public static CommandResult run(List<String> argv) {
        return run(DEFAULT_TIMEOUT, argv);
    }

    /** Runs the command and fails, with its output, when it does not exit 0. */
    public static CommandResult check(String... argv) {
        return run(argv).orThrow();
    }

    /** Runs the command and fails, with its output, when it does not exit 0. */
    public static CommandResult check(List<String> argv) {
        return run(argv).orThrow();
    }

    /**
     * Runs the command, killing it when it outlives the timeout.
     *
     * @throws IllegalStateException when the program cannot be started, times out, or the wait is interrupted
     */
    public static CommandResult run(Duration timeout, List<String> argv) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish within " + timeout);
            }
            return new CommandResult(argv, process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the output of " + String.join(" ", argv), e.getCause());
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, OUTPUT_READERS);
    }
}
