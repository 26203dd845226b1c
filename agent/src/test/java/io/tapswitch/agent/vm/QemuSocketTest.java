package io.tapswitch.agent.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QemuSocketTest {
    @TempDir
    Path dir;

    @Test
    void textArrivesInBothDirectionsAndAQuietDeviceOnlyCostsTheWait() throws Exception {
        Path path = dir.resolve("vm1.qmp");
        try (ServerSocketChannel qemu = listen(path);
             QemuSocket socket = QemuSocket.open(path, "QEMU closed its QMP socket");
             SocketChannel device = qemu.accept()) {
            socket.send("{\"execute\": \"quit\"}\n");
            ByteBuffer in = ByteBuffer.allocate(64);
            while (in.position() < 19) {
                device.read(in);
            }
            assertThat(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8)).isEqualTo("{\"execute\": \"quit\"}\n");

            long start = System.nanoTime();
            socket.readSome(0);
            assertThat(socket.received()).isEmpty();
            assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);

            device.write(ByteBuffer.wrap("{\"return\": {}}\n".getBytes(StandardCharsets.UTF_8)));
            while (socket.received().length() < 15) {
                socket.readSome(1000);
            }
            assertThat(socket.received().toString()).isEqualTo("{\"return\": {}}\n");
        }
    }

    @Test
    void aClosedDeviceIsReportedInTheCallersWords() throws Exception {
        Path path = dir.resolve("vm1.sock");
        try (ServerSocketChannel qemu = listen(path);
             QemuSocket socket = QemuSocket.open(path, "console connection closed by QEMU")) {
            qemu.accept().close();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    socket.readSome(100);
                }
            }).isInstanceOf(IOException.class).hasMessage("console connection closed by QEMU");
        }
    }

    @Test
    void noDeviceListeningFailsTheConnect() {
        Path path = dir.resolve("gone.sock");
        assertThatThrownBy(() -> QemuSocket.open(path, "unused")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> QemuSocket.connect(path)).isInstanceOf(IOException.class);
    }

    private static ServerSocketChannel listen(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }
}
