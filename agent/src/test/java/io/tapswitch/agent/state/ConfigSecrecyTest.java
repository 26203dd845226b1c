package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.PortSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The file-permission rule for a config file that holds the API token, both when written and at start. */
class ConfigSecrecyTest {
    private static final String TOKEN = "a-token-of-sixteen-chars";

    @TempDir
    Path dir;

    private static AgentConfig withToken(String token) {
        return new AgentConfig("lab", null, null, new HttpSpec("127.0.0.1", 8080, token), List.of(PortSpec.tap("vm1")), null, null);
    }

    private Path userFile(AgentConfig config, String mode) throws Exception {
        Path path = dir.resolve("switch.yaml");
        Files.writeString(path, new ConfigLoader().toYaml(config));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
        return path;
    }

    @Test
    void aRewriteOfAWorldReadableFileWithATokenMakesItOwnerOnly() throws Exception {
        Path path = userFile(withToken(TOKEN), "rw-r--r--");
        // what a PUT /ports/{name}/vlan does: the control plane writes the changed config back
        new ConfigFile(path).write(withToken(TOKEN));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        assertThat(new ConfigLoader().load(path).http().token()).isEqualTo(TOKEN);
    }

    @Test
    void aRewriteOfAFileWithoutATokenKeepsItsMode() throws Exception {
        Path path = userFile(withToken(null), "rw-r--r--");
        new ConfigFile(path).write(withToken(null));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-r--r--");
    }

    @Test
    void aTokenAddedToAFileMakesItOwnerOnly() throws Exception {
        Path path = userFile(withToken(null), "rw-rw-r--");
        new ConfigFile(path).write(withToken(TOKEN));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
    }

    @Test
    void startWarnsAboutATokenGroupOrOthersCanRead() throws Exception {
        for (String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw--w----")) {
            Path path = userFile(withToken(TOKEN), mode);
            String warning = ConfigSecrecy.warning(path, withToken(TOKEN));
            assertThat(warning).as(mode).isNotNull()
                    .contains(path.toString()).contains("http.token").contains(mode).contains("chmod 600 " + path)
                    .doesNotContain(TOKEN);
        }
    }

    @Test
    void startIsQuietAboutAPrivateFileOrOneWithoutAToken() throws Exception {
        assertThat(ConfigSecrecy.warning(userFile(withToken(TOKEN), "rw-------"), withToken(TOKEN))).isNull();
        assertThat(ConfigSecrecy.warning(userFile(withToken(TOKEN), "r--------"), withToken(TOKEN))).isNull();
        assertThat(ConfigSecrecy.warning(userFile(withToken(null), "rw-r--r--"), withToken(null))).isNull();
    }
}
