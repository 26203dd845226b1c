package io.tapswitch.agent.vm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs shell commands in a tapswitch guest through its serial console, which
 * works even when the guest network is down or misconfigured (the very
 * situations switch tests want to provoke).
 *
 * <p>QEMU serves the console on a unix socket (see {@link QemuCommand}). The
 * guest keeps a shell there and provides {@code tsx}, which runs a base64
 * encoded command and brackets its output with {@code TS-BEGIN ID} and
 * {@code TS-END ID RC}. Those markers cannot appear in the echo of the typed
 * line, so the output is found reliably even though the console echoes input
 * and also carries other guest output. Long commands are sent in pieces
 * because the guest shell's line editor limits the length of one input line.
 */
public final class GuestConsole implements Closeable {
    private static final int CHUNK = 800;
    /** How long {@link #connect(Path)} waits for a console another client holds. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis() % 1_000_000);

    private final QemuSocket socket;
    private final ConsoleLock lock;

    private GuestConsole(QemuSocket socket, ConsoleLock lock) {
        this.socket = socket;
        this.lock = lock;
    }

    /**
     * Connects to a console socket; only one client can be connected to a QEMU socket at a time, so
     * the console is claimed first ({@link ConsoleLock}), waiting up to {@link #PATIENCE} for
     * another program's turn to end, as QEMU would have made it wait.
     *
     * @throws ConsoleLock.BusyException when another client (a {@code vm console}, say) holds it longer
     */
    public static GuestConsole connect(Path socket) throws IOException {
        return connect(socket, "a command run over the console", PATIENCE);
    }

    /**
     * Like {@link #connect(Path)}, naming the holder that others see in "console in use by ...",
     * and waiting at most {@code patience} for the console.
     */
    public static GuestConsole connect(Path socket, String holder, Duration patience) throws IOException {
        return ConsoleLock.handTo(ConsoleLock.acquire(socket, holder, patience),
                lock -> new GuestConsole(QemuSocket.open(socket, "console connection closed by QEMU"), lock));
    }

    /** Result of a guest command: its exit code and output (stdout and stderr, CR removed). */
    public record Result(int exitCode, String output) {
    }

    /**
     * Runs {@code command} with {@code sh -c} in the guest and waits for it.
     *
     * @throws TimeoutException if the guest does not report completion within {@code timeout}
     */
    public Result exec(String command, Duration timeout) throws IOException, TimeoutException {
        long id = SEQUENCE.incrementAndGet();
        String encoded = Base64.getEncoder().encodeToString(command.getBytes(StandardCharsets.UTF_8));
        if (encoded.length() <= CHUNK) {
            send("tsx -b " + id + " " + encoded + "\n");
        } else {
            String file = "/tmp/.tsx." + id;
            for (int i = 0; i < encoded.length(); i += CHUNK) {
                send("echo " + encoded.substring(i, Math.min(encoded.length(), i + CHUNK)) + " >> " + file + "\n");
            }
            send("tsx -b " + id + " \"$(tr -d ' \\n' < " + file + ")\"; rm -f " + file + "\n");
        }
        Pattern done = Pattern.compile("TS-BEGIN " + id + "\r?\n(.*?)TS-END " + id + " (\\d+)\r?\n", Pattern.DOTALL);
        long deadline = System.nanoTime() + timeout.toNanos();
        StringBuilder received = socket.received();
        while (true) {
            Matcher m = done.matcher(received);
            if (m.find()) {
                String output = m.group(1).replace("\r", "");
                int rc = Integer.parseInt(m.group(2));
                received.delete(0, m.end());
                return new Result(rc, output);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("guest did not finish '" + command + "' within " + timeout);
            }
            socket.readSome(left / 1_000_000);
        }
    }

    /** Sends raw text to the console, for interactive use beyond {@link #exec}. */
    public void send(String text) throws IOException {
        socket.send(text);
    }

    /** Everything received and not yet consumed by {@link #exec}. */
    public String pendingOutput() throws IOException {
        socket.readSome(1);
        return socket.received().toString();
    }

    @Override
    public void close() throws IOException {
        try {
            socket.close();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }
}
