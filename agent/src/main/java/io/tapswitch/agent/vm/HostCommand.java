package io.tapswitch.agent.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short host tool such as {@code ip} and fails loudly when it fails.
 *
 * <p>Arguments are passed as a list straight to {@code execve}; there is no
 * shell in between, so interface names can never be read as shell syntax.
 */
final class HostCommand {
    private static final long TIMEOUT_SECONDS = 30;

    private HostCommand() {
    }

    /** Runs {@code argv} and returns its combined output; throws if it exits non-zero. */
    static String run(List<String> argv) {
        Result r = tryRun(argv);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed with exit code " + r.exitCode()
                    + ": " + r.output().strip());
        }
        return r.output();
    }

    /** Runs {@code argv} and reports its exit code and combined output without judging them. */
    static Result tryRun(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + argv.get(0), e);
        }
    }

    /** Exit code and combined stdout/stderr of a finished command. */
    record Result(int exitCode, String output) {
    }
}
