package io.tapswitch.agent.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A client of a QEMU's QMP socket (see {@link QemuCommand}): the machine protocol, one JSON object
 * per line, that QEMU offers instead of the human monitor. The agent uses it for what only QEMU can
 * do: ask the guest to power down, end QEMU cleanly, and set a NIC's link state as the guest sees it.
 *
 * <p>Every read has a deadline, so a QEMU that hangs makes a call fail instead of blocking the agent's
 * worker. Asynchronous events QEMU sends between replies are skipped.
 */
public final class Qmp implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QemuSocket socket;
    private final Duration timeout;

    private Qmp(QemuSocket socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /**
     * Connects, reads QEMU's greeting and leaves capability negotiation, after which commands are accepted.
     *
     * @param timeout the longest any single reply may take
     */
    public static Qmp connect(Path socket, Duration timeout) throws IOException {
        QemuSocket connection = QemuSocket.open(socket, "QEMU closed its QMP socket");
        try {
            Qmp qmp = new Qmp(connection, timeout);
            JsonNode greeting = qmp.readObject();
            if (!greeting.has("QMP")) {
                throw new IOException("not a QMP socket: " + socket + " greeted with " + greeting);
            }
            qmp.execute("qmp_capabilities", Map.of());
            return qmp;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Runs one command and returns its {@code return} value.
     *
     * @throws IOException when QEMU answers with an error (its description is the message), closes the
     *                     connection or does not answer in time
     */
    public JsonNode execute(String command, Map<String, Object> arguments) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (!arguments.isEmpty()) {
            request.set("arguments", JSON.valueToTree(arguments));
        }
        socket.send(JSON.writeValueAsString(request) + "\n");
        while (true) {
            JsonNode reply = readObject();
            if (reply.has("return")) {
                return reply.get("return");
            }
            if (reply.has("error")) {
                throw new IOException("QEMU refused " + command + ": " + reply.path("error").path("desc").asText());
            }
            // An event ({"event": ...}) arriving before the reply.
        }
    }

    private JsonNode readObject() throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        StringBuilder received = socket.received();
        while (true) {
            int newline = received.indexOf("\n");
            if (newline >= 0) {
                String line = received.substring(0, newline).strip();
                received.delete(0, newline + 1);
                if (!line.isEmpty()) {
                    return JSON.readTree(line);
                }
                continue;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new IOException("QEMU did not answer on its QMP socket within " + timeout);
            }
            socket.readSome(left);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
