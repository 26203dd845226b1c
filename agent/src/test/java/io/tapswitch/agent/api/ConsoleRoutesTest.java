package io.tapswitch.agent.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The console WebSocket against a stand-in for QEMU's console socket that answers each line with
 * "echo:LINE": keys typed over the WebSocket reach the socket, its output comes back, a second
 * session is refused with 409 while the first lasts, and the plain GET says who holds the console.
 */
class ConsoleRoutesTest {
    @TempDir
    Path dir;
    private RunningAgent a;
    private ServerSocketChannel qemu;
    private Thread echo;

    @BeforeEach
    void start() throws Exception {
        a = RunningAgent.start(dir, RunningAgent.emptyConfig());
        Path lab = dir.resolve("state").resolve("vms").resolve("demo");
        Files.createDirectories(lab);
        // The test JVM's own pid stands for a running QEMU.
        Files.writeString(lab.resolve("lab.json"), """
                {"lab": "demo", "vms": [{"name": "vm1", "pid": %2$d, "startEpochMillis": -1,
                  "ports": [], "log": "%1$s/vm1.log", "socket": "%1$s/vm1.sock"}]}
                """.formatted(lab, ProcessHandle.current().pid()));
        qemu = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        qemu.bind(UnixDomainSocketAddress.of(lab.resolve("vm1.sock")));
        echo = new Thread(() -> {
            try (SocketChannel c = qemu.accept()) {
                ByteBuffer buf = ByteBuffer.allocate(256);
                StringBuilder line = new StringBuilder();
                while (c.read(buf) >= 0) {
                    buf.flip();
                    line.append(StandardCharsets.UTF_8.decode(buf));
                    buf.clear();
                    int nl;
                    while ((nl = line.indexOf("\n")) >= 0) {
                        c.write(ByteBuffer.wrap(("echo:" + line.substring(0, nl) + "\r\n").getBytes(StandardCharsets.UTF_8)));
                        line.delete(0, nl + 1);
                    }
                }
            } catch (Exception e) {
                // Closed by the test.
            }
        });
        echo.setDaemon(true);
        echo.start();
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        qemu.close();
        echo.join(5000);
    }

    private static final class Collect implements WebSocket.Listener {
        final StringBuffer text = new StringBuffer();
        final CompletableFuture<String> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            text.append(StandardCharsets.UTF_8.decode(data));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(status + " " + reason);
            return null;
        }
    }

    private CompletableFuture<WebSocket> open(Collect listener) {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + a.agent.access().token())
                .buildAsync(URI.create(a.agent.apiUrl().replaceFirst("^http", "ws") + "/api/v1/labs/demo/vms/vm1/console"), listener);
    }

    @Test
    void keysGoInOutputComesBackAndASecondSessionIsRefused() throws Exception {
        Collect first = new Collect();
        WebSocket ws = open(first).get(10, TimeUnit.SECONDS);
        ws.sendBinary(ByteBuffer.wrap("uname -r\n".getBytes(StandardCharsets.UTF_8)), true).get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!first.text.toString().contains("echo:uname -r") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(first.text.toString()).contains("echo:uname -r\r\n");

        Http.Reply who = a.http.send("GET", "/labs/demo/vms/vm1/console", null, null);
        assertThat(who.status()).isEqualTo(200);
        assertThat(who.json().path("state").asText()).isEqualTo("RUNNING");
        assertThat(who.json().path("inUseBy").asText()).startsWith("vm console from ");

        assertThatThrownBy(() -> open(new Collect()).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(409));

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!a.http.send("GET", "/labs/demo/vms/vm1/console", null, null).json().path("inUseBy").isNull()
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(a.http.send("GET", "/labs/demo/vms/vm1/console", null, null).json().path("inUseBy").isNull())
                .as("the console is free again once the session ends").isTrue();
    }

    @Test
    void anUnknownVmIs404() {
        Http.Reply r = a.http.send("GET", "/labs/demo/vms/nosuch/console", null, null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.raw().body()).contains("nosuch");
    }
}
