package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.StaticMacSpec;
import io.tapswitch.agent.config.VlanSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFileTest {
    @TempDir
    Path dir;

    private static AgentConfig sample() {
        return new AgentConfig("lab", 1024, 60, HttpSpec.DEFAULT.withPort(9090),
                List.of(PortSpec.tap("vm1").withVlan(new VlanSpec("access", 10, null, null)), PortSpec.tap("vm2")),
                List.of(new MirrorSpec("m", List.of("vm1"), List.of(), "", false, "vm2", 0, 0)),
                List.of(new StaticMacSpec("02:00:00:00:00:01", 10, "vm1")));
    }

    @Test
    void writesWhatTheLoaderReadsBack() throws Exception {
        ConfigFile file = new ConfigFile(dir.resolve("switch.yaml"));
        file.write(sample());
        assertThat(new ConfigLoader().load(file.path())).isEqualTo(sample());
        assertThat(Files.getPosixFilePermissions(file.path())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList()).containsExactly("switch.yaml");
        }
    }

    @Test
    void keepsTheEditorsSchemaLineAndNoOtherComment() throws Exception {
        Path path = dir.resolve("switch.yaml");
        String line = "# yaml-language-server: $schema=/usr/share/tapswitch/config.schema.json";
        Files.writeString(path, line + "\n# a hand-written comment\nname: old\n");
        new ConfigFile(path).write(sample());
        String text = Files.readString(path);
        assertThat(text).startsWith(line + "\n").doesNotContain("hand-written");
        assertThat(new ConfigLoader().load(path)).isEqualTo(sample());
        new ConfigFile(path).write(sample().withAgingSeconds(30));
        assertThat(Files.readString(path)).startsWith(line + "\n");

        Path plain = dir.resolve("plain.yaml");
        Files.writeString(plain, "# just a comment\nname: old\n");
        new ConfigFile(plain).write(sample());
        assertThat(Files.readString(plain)).doesNotStartWith("#");
    }

    @Test
    void keepsTheModeOfAnExistingFile() throws Exception {
        Path path = dir.resolve("switch.yaml");
        Files.writeString(path, "name: old\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r-----"));
        new ConfigFile(path).write(sample());
        assertThat(Files.getPosixFilePermissions(path)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
    }

    @Test
    void aFailedWriteLeavesTheOldFile() throws Exception {
        Path path = dir.resolve("sub").resolve("switch.yaml");
        Files.createDirectories(path.getParent());
        Files.writeString(path, "name: old\n");
        Files.createDirectory(path.getParent().resolve(".switch.yaml.tmp"));
        Files.writeString(path.getParent().resolve(".switch.yaml.tmp").resolve("x"), "blocks the temp file");
        assertThatThrownBy(() -> new ConfigFile(path).write(sample())).isInstanceOf(java.io.IOException.class);
        assertThat(Files.readString(path)).isEqualTo("name: old\n");
    }
}
