package io.tapswitch.agent.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapswitch.agent.vm.LabFile;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real guest shells when a guest hangs or is gone: the check is an ERROR, the console freed. */
class ConsoleShellsTest {
    @Test
    void aHungCommandTimesOutAndIsInterruptedWithCtrlC(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("vm1.sock");
        ByteArrayOutputStream typed = new ByteArrayOutputStream();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread guest = new Thread(() -> {
                // a guest whose shell never answers: reads what is typed, prints nothing
                try (SocketChannel c = server.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    while (c.read(buf) > 0) {
                        synchronized (typed) {
                            typed.write(buf.array(), 0, buf.position());
                        }
                        buf.clear();
                    }
                } catch (Exception e) {
                    // closed by the test
                }
            });
            guest.start();
            try (ConsoleShells shells = new ConsoleShells(Map.of("vm1", socket))) {
                assertThatThrownBy(() -> shells.exec("vm1", "sleep 999", Duration.ofMillis(300)))
                        .isInstanceOf(TimeoutException.class);
                Thread.sleep(200);
            }
            guest.join(2000);
            String text;
            synchronized (typed) {
                text = typed.toString(StandardCharsets.UTF_8);
            }
            assertThat(text).startsWith("tsx -b ").endsWith("\u0003");
            assertThat(guest.isAlive()).as("the console connection is closed with the shells").isFalse();
        }
    }

    @Test
    void aCheckInAVmThatIsNotRunningIsAnError(@TempDir Path dir) throws Exception {
        LabFile lab = LabFile.parse("""
                name: l
                guest: {kernel: k}
                vms:
                  - {name: vm1, nics: [{port: p1, mac: "52:54:00:00:00:01", ip: 198.18.0.1/24}]}
                  - {name: vm2, nics: [{port: p2, mac: "52:54:00:00:00:02", ip: 198.18.0.2/24}]}
                checks:
                  - {name: gone, ping: {from: vm2, to: vm1}}
                  - {name: no-socket, exec: {vm: vm1, command: "true"}}
                """, dir, "l.yaml");
        try (ConsoleShells shells = new ConsoleShells(Map.of("vm1", dir.resolve("missing.sock")))) {
            List<CheckResult> results = new CheckRunner(lab, shells, 2).run(lab.checks(), r -> { });
            assertThat(results).extracting(CheckResult::status).containsOnly(CheckResult.Status.ERROR);
            assertThat(results.get(0).evidence()).isEqualTo("VM vm2 is not running in this lab");
            assertThat(results.get(1).evidence()).isEqualTo("cannot connect to the console of vm1 ("
                    + dir.resolve("missing.sock") + "): No such file or directory");
        }
    }
}
