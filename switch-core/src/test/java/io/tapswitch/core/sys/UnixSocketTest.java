package io.tapswitch.core.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A UNIX socket pair through a real listener: peer credentials, and a descriptor passed with a message. */
class UnixSocketTest {
    @Test
    void theListenerKnowsWhoConnectedAndADescriptorCrossesWithTheBytes(@TempDir Path dir) throws Exception {
        String path = dir.resolve("s.sock").toString();
        try (UnixSocket listener = UnixSocket.listen(path, 4);
             UnixSocket client = UnixSocket.connect(path);
             UnixSocket server = acceptWithin(listener);
             EventFd passed = new EventFd()) {
            UnixSocket.Credentials peer = server.peerCredentials();
            assertThat(peer.pid()).isEqualTo((int) ProcessHandle.current().pid());
            assertThat(peer.uid()).isEqualTo(uid());

            client.send("attach\n".getBytes(StandardCharsets.US_ASCII), -1);
            UnixSocket.Received request = server.receive(256);
            assertThat(new String(request.data(), StandardCharsets.US_ASCII)).isEqualTo("attach\n");
            assertThat(request.fd()).isNull();

            server.send("ok\n".getBytes(StandardCharsets.US_ASCII), passed.fd());
            UnixSocket.Received answer = client.receive(256);
            assertThat(new String(answer.data(), StandardCharsets.US_ASCII)).isEqualTo("ok\n");
            assertThat(answer.fd()).isNotNull();
            try (FileDescriptor copy = answer.fd()) {
                // the copy is the same eventfd: a signal through the original is readable through it
                assertThat(copy.fd()).isNotEqualTo(passed.fd());
                passed.signal();
                com.sun.jna.Memory eight = new com.sun.jna.Memory(8);
                assertThat(Unistd.read(copy.fd(), com.sun.jna.Pointer.nativeValue(eight), 8)).isEqualTo(8);
                assertThat(eight.getLong(0)).isEqualTo(1);
            }
            client.close();
            assertThat(server.receive(16).data()).as("end of stream").isEmpty();
        }
    }

    @Test
    void aSilentPeerTimesOutAndAMissingListenerIsRefused(@TempDir Path dir) throws Exception {
        String path = dir.resolve("t.sock").toString();
        try (UnixSocket listener = UnixSocket.listen(path, 4);
             UnixSocket client = UnixSocket.connect(path);
             UnixSocket server = acceptWithin(listener)) {
            server.setReceiveTimeout(Duration.ofMillis(200));
            long start = System.nanoTime();
            assertThatThrownBy(() -> server.receive(16)).isInstanceOf(NativeException.class)
                    .satisfies(e -> assertThat(((NativeException) e).errno()).isEqualTo(Errno.EAGAIN));
            assertThat(System.nanoTime() - start).isGreaterThan(150_000_000L);
        }
        Files.delete(Path.of(path));
        assertThatThrownBy(() -> UnixSocket.connect(path)).isInstanceOf(NativeException.class)
                .satisfies(e -> assertThat(((NativeException) e).errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> UnixSocket.connect(dir.resolve(String.valueOf('x').repeat(120)).toString()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static UnixSocket acceptWithin(UnixSocket listener) throws Exception {
        for (int i = 0; i < 200; i++) {
            UnixSocket s = listener.accept();
            if (s != null) {
                return s;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no connection accepted");
    }

    private static int uid() throws Exception {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
