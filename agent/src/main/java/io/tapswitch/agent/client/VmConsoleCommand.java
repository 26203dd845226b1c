package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code tapswitch vm console LAB VM}: the guest's serial console at your terminal, like
 * {@code virsh console}, through the agent's WebSocket ({@code GET /api/v1/labs/{lab}/vms/{vm}/console}),
 * so it works against a remote agent. On a terminal it switches to raw mode (every key goes to the
 * guest) and restores it on exit. {@value #ESCAPE_NAME} ends the session, as in virsh; so does the
 * end of standard input when it is a pipe. The console serves one client at a time: while this
 * session lasts, another one, or a {@code vm exec}, is refused with "console in use by ...".
 */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = "Attach to a guest's serial console (like virsh console). Ctrl-] detaches.")
final class VmConsoleCommand extends VmCommand.Leaf {
    /** Ctrl-], the byte that ends the session and is never sent to the guest. */
    static final byte ESCAPE = 0x1d;
    static final String ESCAPE_NAME = "Ctrl-]";

    @Parameters(index = "0", paramLabel = "LAB")
    String lab;

    @Parameters(index = "1", paramLabel = "VM")
    String vm;

    /** Where keys come from; standard input, replaced by tests. */
    InputStream in = System.in;

    @Override
    int run(ApiClient api, PrintStream out) throws Exception {
        String path = VmControlCommands.path(lab, vm) + "/console";
        JsonNode info = api.get(path);
        if (!info.path("state").asText().equals("RUNNING")) {
            throw new CtlException("VM " + vm + " of lab " + lab + " is " + info.path("state").asText()
                    + "; start it with: tapswitch vm start " + lab + " " + vm);
        }
        if (info.hasNonNull("inUseBy")) {
            throw new CtlException("console of " + vm + " in use by " + info.path("inUseBy").asText());
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> closedByAgent = new AtomicReference<>();
        WebSocket ws;
        try {
            ws = api.webSocket(path, new Listener(out, done, closedByAgent)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw new CtlException("the agent refused the console of " + vm + " (HTTP " + h.getResponse().statusCode()
                        + "; another client may have taken it: see GET /api/v1" + path + ")");
            }
            throw new CtlException("cannot attach to the console of " + vm + ": " + e.getCause().getMessage());
        }
        System.err.print("Connected to " + vm + " of lab " + lab + ". Escape character is ^] (" + ESCAPE_NAME + ")\r\n");
        try (RawTerminal ignored = RawTerminal.enter()) {
            Thread keys = new Thread(() -> pumpKeys(ws, done), "console-keys");
            keys.setDaemon(true);
            keys.start();
            done.await();
        }
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "detached").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The agent closed first (the VM stopped); nothing left to close.
        }
        String reason = closedByAgent.get();
        if (reason != null) {
            System.err.print("\r\nconsole closed by the agent: " + reason + "\r\n");
            return 1;
        }
        System.err.print("\r\n");
        return 0;
    }

    /** Copies keys to the guest up to the escape byte or the end of input, then ends the session. */
    private void pumpKeys(WebSocket ws, CountDownLatch done) {
        byte[] buf = new byte[1024];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int escape = indexOfEscape(buf, n);
                int send = escape < 0 ? n : escape;
                if (send > 0) {
                    ws.sendBinary(ByteBuffer.wrap(Arrays.copyOf(buf, send)), true).join();
                }
                if (escape >= 0) {
                    break;
                }
            }
        } catch (IOException | CompletionException e) {
            // Input or session gone: end the session either way.
        } finally {
            done.countDown();
        }
    }

    /** Where the escape byte is among the first {@code length} bytes of {@code keys}, or -1. */
    static int indexOfEscape(byte[] keys, int length) {
        for (int i = 0; i < length; i++) {
            if (keys[i] == ESCAPE) {
                return i;
            }
        }
        return -1;
    }

    /** What the guest prints goes to standard output unchanged; the agent closing ends the session. */
    private static final class Listener implements WebSocket.Listener {
        private final PrintStream out;
        private final CountDownLatch done;
        private final AtomicReference<String> closedByAgent;

        Listener(PrintStream out, CountDownLatch done, AtomicReference<String> closedByAgent) {
            this.out = out;
            this.done = done;
            this.closedByAgent = closedByAgent;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            out.write(bytes, 0, bytes.length);
            out.flush();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            out.print(data);
            out.flush();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            if (done.getCount() > 0) {
                closedByAgent.set(reason == null || reason.isEmpty() ? "status " + status : reason);
            }
            done.countDown();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (done.getCount() > 0) {
                closedByAgent.set(error.getMessage());
            }
            done.countDown();
        }
    }
}
