package io.tapswitch.agent.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

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
