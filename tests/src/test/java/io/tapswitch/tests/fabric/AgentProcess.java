package io.tapswitch.tests.fabric;

import io.tapswitch.agent.cli.RunCommand;
import io.tapswitch.agent.host.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One agent as a user runs it on a host of the fabric: {@code tapswitch run --config FILE} in a JVM
 * of its own, inside the host's network namespace ({@code ip netns exec NS java ...}, which execs
 * java, so the process is the JVM itself and signals reach it). Its output goes to a log file that
 * the test prints when something fails.
 */
final class AgentProcess {
    private static final Pattern JOINED = Pattern.compile("cluster: joined as \\S+ \\(node \\S+\\) in (\\d+) ms");

    private final String name;
    private final Process process;
    private final Path log;
    private final long startedNanos = System.nanoTime();

    private AgentProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts the agent of {@code config} inside {@code ns}, its output in {@code log}; returns at once. */
    static AgentProcess start(String name, Netns ns, Path config, Path log) throws IOException {
        return start(name, ns, config, log, java.util.Map.of());
    }

    /** Like {@link #start(String, Netns, Path, Path)}, with {@code env} added to the agent's environment. */
    static AgentProcess start(String name, Netns ns, Path config, Path log, java.util.Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = ns.inside(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "io.tapswitch.agent.cli.Main", "run", "--config", config.toString());
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        return new AgentProcess(name, p, log);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The agent's output so far. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Waits until the agent prints its API URL and returns it; fails with its log if it exits or takes too long. */
    String awaitApi(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = log();
            for (String line : text.lines().toList()) {
                if (line.startsWith(RunCommand.API_LINE_PREFIX)) {
                    return line.substring(RunCommand.API_LINE_PREFIX.length()).trim();
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("agent " + name + " exited with " + process.exitValue() + " before its API was up:\n" + text);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("agent " + name + " printed no API URL within " + timeout + ":\n" + text);
            }
            Thread.sleep(100);
        }
    }

    /** How long the agent said joining the cluster took, or -1 when it has not said so yet. */
    long joinMillis() {
        Matcher m = JOINED.matcher(log());
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    /** Milliseconds since this agent was started. */
    long ageMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** SIGKILL, as a crash; waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("agent " + name + " still running 10 s after SIGKILL");
        }
    }

    /** SIGTERM, the orderly stop (SIGKILL after 30 s); returns the exit status. */
    int stop() throws InterruptedException {
        if (!process.isAlive()) {
            return process.exitValue();
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }
}
