package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigException;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.PortSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Durability of {@link ConfigFile}, which a crash test cannot show: a process killed with SIGKILL
 * leaves its written pages in the kernel's cache, so the file survives whether or not it was ever
 * fsynced. Here the channels are the real ones wrapped to record each fsync and what the file
 * system held at that moment: the new text is fsynced under the temporary name before it replaces
 * the old file, and the directory is fsynced after the rename, so that both the content and the
 * new name survive a power loss.
 */
class ConfigFileSyncTest {
    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private static AgentConfig config(int aging) {
        return new AgentConfig("sync", 1024, aging, HttpSpec.DEFAULT.withPort(9090), List.of(PortSpec.tap("vm1")),
                List.of(), List.of());
    }

    private ConfigFile recorded(Path path, RecordingChannel.ForceHook onForce) {
        return new ConfigFile(path, (file, options) ->
                new RecordingChannel(FileChannel.open(file, options), file, log::add, onForce));
    }

    private static int aging(Path path) throws IOException {
        try {
            return new ConfigLoader().load(path).agingSeconds();
        } catch (ConfigException e) {
            throw new IOException(e);
        }
    }

    @Test
    void theTextIsFsyncedBeforeTheRenameAndTheDirectoryAfterIt() throws Exception {
        Path path = dir.resolve("switch.yaml");
        new ConfigFile(path).write(config(100));
        List<String> atForce = new ArrayList<>();
        ConfigFile file = recorded(path, (f, metaData) -> atForce.add(f.getFileName() + " metaData=" + metaData
                + " aging=" + aging(path)));

        file.write(config(200));

        assertThat(log).as("calls on the recorded channels, in order").containsExactly(
                "write .switch.yaml.tmp", "force .switch.yaml.tmp", "close .switch.yaml.tmp",
                "force " + dir.getFileName(), "close " + dir.getFileName());
        assertThat(atForce).as("at each fsync: the channel's file and what switch.yaml then held").containsExactly(
                ".switch.yaml.tmp metaData=true aging=100",
                dir.getFileName() + " metaData=true aging=200");
        assertThat(new ConfigLoader().load(path).agingSeconds()).isEqualTo(200);
    }

    @Test
    void aFailedFsyncLeavesTheOldFileAndNoTemporaryOne() throws Exception {
        Path path = dir.resolve("switch.yaml");
        new ConfigFile(path).write(config(100));
        ConfigFile file = recorded(path, (f, metaData) -> {
            throw new IOException("EIO from fsync");
        });

        assertThatThrownBy(() -> file.write(config(200))).isInstanceOf(IOException.class).hasMessageContaining("EIO");

        assertThat(new ConfigLoader().load(path).agingSeconds()).isEqualTo(100);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList()).containsExactly("switch.yaml");
        }
    }
}
