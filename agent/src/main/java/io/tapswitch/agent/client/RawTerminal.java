package io.tapswitch.agent.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The terminal on standard input put into raw mode for an interactive session ({@code vm console}):
 * every key, Ctrl-C included, goes to the guest as typed, without local echo or line editing. The
 * settings {@code stty -g} reported are restored on {@link #close}, and by a shutdown hook if the
 * JVM is ended meanwhile, so the user's shell never stays in raw mode.
 */
final class RawTerminal implements AutoCloseable {
    private final String saved;
    private final Thread restoreOnExit;

    private RawTerminal(String saved) {
        this.saved = saved;
        this.restoreOnExit = new Thread(() -> stty(saved), "restore-terminal");
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
    }

    /** Raw mode when standard input is a terminal; null (nothing to restore) when it is a pipe or file. */
    static RawTerminal enter() {
        String saved = stty("-g");
        if (saved == null || saved.isBlank()) {
            return null;
        }
        RawTerminal t = new RawTerminal(saved.strip());
        stty("raw", "-echo");
        return t;
    }

    /** Runs stty on this process's standard input; its output, or null when stty fails (not a terminal). */
    private static String stty(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("stty");
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        stty(saved);
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // The JVM is shutting down; the hook restores the terminal itself.
        }
    }
}
