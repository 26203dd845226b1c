package io.tapswitch.agent.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsoleLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondClientIsToldWhoHoldsTheConsoleAndGetsItOnceReleased() throws Exception {
        Path socket = dir.resolve("vm1.sock");
        assertThat(ConsoleLock.holder(socket)).isNull();
        try (ConsoleLock first = ConsoleLock.acquire(socket, "vm console from 127.0.0.1:4242")) {
            assertThat(first).isNotNull();
            assertThatThrownBy(() -> ConsoleLock.acquire(socket, "vm exec"))
                    .isInstanceOf(ConsoleLock.BusyException.class)
                    .hasMessageContaining("console of vm1 in use by vm console from 127.0.0.1:4242")
                    .hasMessageContaining("Ctrl-]");
            assertThat(ConsoleLock.holder(socket)).startsWith("vm console from 127.0.0.1:4242, pid ");
            assertThat(ConsoleLock.fileOf(socket)).hasFileName("vm1.console.lock");
        }
        assertThat(ConsoleLock.holder(socket)).isNull();
        try (ConsoleLock again = ConsoleLock.acquire(socket, "vm exec")) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void aPatientClientGetsTheConsoleWhenTheHolderLetsGoAndGivesUpOtherwise() throws Exception {
        Path socket = dir.resolve("vm3.sock");
        ConsoleLock first = ConsoleLock.acquire(socket, "check one");
        long start = System.nanoTime();
        assertThatThrownBy(() -> ConsoleLock.acquire(socket, "check two", Duration.ofMillis(300)))
                .isInstanceOf(ConsoleLock.BusyException.class).hasMessageContaining("check one");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        Thread release = new Thread(() -> {
            try {
                Thread.sleep(200);
                first.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        release.start();
        try (ConsoleLock second = ConsoleLock.acquire(socket, "check two", Duration.ofSeconds(10))) {
            assertThat(ConsoleLock.holder(socket)).startsWith("check two");
        }
        release.join();
    }

    @Test
    void closingTwiceDoesNotReleaseTheNextHoldersClaim() throws Exception {
        Path socket = dir.resolve("vm2.sock");
        ConsoleLock first = ConsoleLock.acquire(socket, "first");
        first.close();
        try (ConsoleLock second = ConsoleLock.acquire(socket, "second")) {
            first.close();
            assertThat(ConsoleLock.holder(socket)).startsWith("second");
        }
    }

    @Test
    void theQmpSocketSitsNextToTheConsoleSocket() {
        assertThat(ConsolePaths.in(Path.of("/run/tapswitch/vms/demo"), "vm1").qmp())
                .isEqualTo(Path.of("/run/tapswitch/vms/demo/vm1.qmp"));
    }
}
