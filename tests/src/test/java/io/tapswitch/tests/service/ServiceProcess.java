package io.tapswitch.tests.service;

import io.tapswitch.agent.cli.RunCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent running as a service would: started from a unit's command line under {@code setpriv},
 * with {@code $RUNTIME_DIRECTORY} as systemd sets it, output in a log file. Closing sends SIGTERM (as
 * systemd's {@code KillSignal=SIGTERM}) and waits for the agent to stop.
 */
final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String apiUrl;

    private ServiceProcess(Process process, Path log, String apiUrl) {
        this.process = process;
        this.log = log;
        this.apiUrl = apiUrl;
    }

    /** Starts {@code argv} in {@code workDir} and waits until the API listens (the {@code api:} line). */
    static ServiceProcess start(List<String> argv, Path workDir, Path runtimeDir, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("RUNTIME_DIRECTORY", runtimeDir.toString());
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log) : "";
            for (String line : out.split("\n")) {
                if (line.startsWith(RunCommand.API_LINE_PREFIX)) {
                    String url = line.substring(RunCommand.API_LINE_PREFIX.length()).strip();
                    return new ServiceProcess(p, log, url.substring(0, url.indexOf("/api/v1")));
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("the agent exited with " + p.exitValue() + " before serving:\n" + out);
            }
            Thread.sleep(200);
        }
        p.destroy();
        throw new AssertionError("the agent did not serve within 90 s:\n" + Files.readString(log));
    }

    /** The pid of the agent itself: setpriv execs it. */
    long pid() {
        return process.pid();
    }

    String apiUrl() {
        return apiUrl;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** One field of {@code /proc/PID/status}, like {@code CapEff} or {@code Uid}. */
    static String status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + pid + "/status");
    }

    /** SIGTERM, then the exit status once the agent has stopped. */
    int stop() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the agent did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            stop();
        }
    }
}
