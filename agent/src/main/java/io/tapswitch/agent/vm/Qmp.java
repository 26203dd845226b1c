package io.tapswitch.agent.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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

    private final SocketChannel channel;
    private final Selector selector;
    private final Duration timeout;
    private final StringBuilder received = new StringBuilder();

    private Qmp(SocketChannel channel, Selector selector, Duration timeout) {
        this.channel = channel;
        this.selector = selector;
        this.timeout = timeout;
    }

    /**
     * Connects, reads QEMU's greeting and leaves capability negotiation, after which commands are accepted.
     *
     * @param timeout the longest any single reply may take
     */
    public static Qmp connect(Path socket, Duration timeout) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector sel = null;
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            Qmp qmp = new Qmp(ch, sel, timeout);
            JsonNode greeting = qmp.readObject();
            if (!greeting.has("QMP")) {
                throw new IOException("not a QMP socket: " + socket + " greeted with " + greeting);
            }
            qmp.execute("qmp_capabilities", Map.of());
            return qmp;
        } catch (IOException | RuntimeException e) {
            if (sel != null) {
                sel.close();
            }
            ch.close();
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
        ByteBuffer buf = ByteBuffer.wrap((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
                Thread.onSpinWait();
            }
        }
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
            selector.select(left);
            selector.selectedKeys().clear();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            int n;
            while ((n = channel.read(buf)) > 0) {
                buf.flip();
                received.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
            }
            if (n < 0) {
                throw new IOException("QEMU closed its QMP socket");
            }
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
