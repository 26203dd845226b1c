package io.tapswitch.agent.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system tool with an argument list, never through a shell, so that names taken from
 * configuration files or API calls can never be interpreted as shell syntax.
 */
public final class Command {
    private Command() {
    }

    /** The outcome of a finished command. */
    public record Result(List<String> argv, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code argv} with stderr merged into the output, waiting up to 60 s. */
    public static Result run(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(argv, -1, "timed out");
            }
            return new Result(argv, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(argv, -1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(argv, -1, "interrupted");
        }
    }

    /** Runs {@code argv} and throws, with the tool's own message, if it fails. */
    public static String check(List<String> argv) {
        Result r = run(argv);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + r.exitCode() + "): "
                    + r.output().trim());
        }
        return r.output();
    }

    public static String check(String... argv) {
        return check(List.of(argv));
    }
}
