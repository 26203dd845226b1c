package io.tapswitch.tests.netns;

import io.tapswitch.agent.host.Netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * tcpdump running on an interface (in a namespace or the switch's own), printing link-level
 * headers ({@code -e}) so tests can assert exactly which tags and addresses crossed that wire.
 */
final class Tcpdump implements AutoCloseable {
    private final Process process;
    private final Path output;

    private Tcpdump(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts capturing on {@code ifname} inside {@code ns} (null = this namespace) with a filter. */
    static Tcpdump start(Netns ns, String ifname, String... filter) throws Exception {
        Path out = Files.createTempFile("tapswitch-tcpdump", ".txt");
        List<String> argv = new java.util.ArrayList<>(List.of("tcpdump", "-l", "-n", "-e",
                "--immediate-mode", "-i", ifname));
        argv.addAll(List.of(filter));
        List<String> full = ns == null ? argv : ns.inside(argv.toArray(String[]::new));
        Process p = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        // tcpdump says "listening on" on stderr once its socket is ready
        java.io.BufferedReader err = new java.io.BufferedReader(
                new java.io.InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder said = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            said.append(line).append('\n');
            if (line.contains("listening on")) {
                break;
            }
        }
        if (line == null) {
            p.destroyForcibly();
            throw new IllegalStateException("tcpdump did not start: " + said);
        }
        Thread drain = new Thread(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the process ended
            }
        }, "tcpdump-stderr");
        drain.setDaemon(true);
        drain.start();
        return new Tcpdump(p, out);
    }

    /** Stops the capture and returns its lines (each frame's summary line). */
    List<String> stop() throws IOException, InterruptedException {
        Thread.sleep(300);
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
        String text = Files.readString(output);
        return text.lines().filter(l -> !l.isBlank() && !l.startsWith(" ") && !l.startsWith("\t")).toList();
    }

    /**
     * Stops the capture once it has printed {@code count} lines matching {@code expected}, or after
     * ten seconds without them, and returns every line. A test sends its positive control last and
     * waits for it here instead of sleeping: tcpdump prints frames in the order the interface
     * carried them, so once the control is printed, whatever crossed the wire before it is too,
     * and a count or an absence checked afterwards is final.
     */
    List<String> stopAfter(Predicate<String> expected, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (frames().stream().filter(expected).count() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
        return frames();
    }

    private List<String> frames() throws IOException {
        String text = Files.readString(output);
        return text.lines().filter(l -> !l.isBlank() && !l.startsWith(" ") && !l.startsWith("\t")).toList();
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(output);
    }
}
