package io.tapswitch.tests.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.client.ApiClient;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.lab.Prerequisites;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Debian package the build makes ({@code dist/target/tapswitch_VERSION_all.deb}): what it
 * holds, then installed on this machine with {@code apt install ./tapswitch_*.deb}, its service
 * started with the installed unit's {@code ExecStart} (under {@code setpriv} as the unit's user with
 * its capabilities, since this machine has no systemd), answering {@code GET /api/v1/switch} and
 * writing an API change back to its conffile. The package is purged at the end, also after a
 * failure, and the system user its postinst made is removed, leaving the machine as it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackageIT {
    private static final Path DIST = Path.of("..").toAbsolutePath().normalize().resolve("dist/target");
    private static final Path UNIT = Path.of("/lib/systemd/system/tapswitch.service");
    private static final Path CONFIG = Path.of("/etc/tapswitch/switch.yaml");
    private static final Duration APT = Duration.ofMinutes(5);

    private static Path deb;
    private static boolean userExisted;
    private static boolean installed;

    @BeforeAll
    static void findPackage() throws IOException {
        Root.require();
        deb = null;
        if (Files.isDirectory(DIST)) {
            try (DirectoryStream<Path> debs = Files.newDirectoryStream(DIST, "tapswitch_*_all.deb")) {
                for (Path p : debs) {
                    deb = p;
                }
            }
        }
        Prerequisites.require(deb != null, () -> "no tapswitch_*_all.deb in " + DIST + ": the dist module builds it"
                + " where /usr/bin/asciidoctor exists (scripts/host-setup.sh installs it)");
        assertThat(HostCommand.run(List.of("dpkg-query", "-W", "-f=${Status}", "tapswitch")).stdout())
                .as("tapswitch must not be installed already: this test installs and purges it").doesNotContain("installed");
        userExisted = HostCommand.run(List.of("getent", "passwd", "tapswitch")).succeeded();
    }

    @AfterAll
    static void purge() {
        if (installed) {
            CommandResult purge = HostCommand.run(APT, List.of("apt-get", "purge", "-y", "tapswitch"));
            assertThat(purge.exitCode()).as(purge.output()).isZero();
            if (!userExisted) {
                HostCommand.run(List.of("userdel", "tapswitch"));
            }
            HostCommand.run(List.of("rm", "-rf", "/run/tapswitch-package-it"));
            assertThat(Files.exists(Path.of("/usr/share/tapswitch"))).isFalse();
            assertThat(Files.exists(Path.of("/etc/tapswitch"))).as("purge removes the config").isFalse();
            assertThat(NetDevice.exists("tsp-pk1")).isFalse();
        }
    }

    @Test
    @Order(1)
    void holdsTheUnitLauncherScriptsAndManPage() throws Exception {
        String listing = HostCommand.check(List.of("dpkg-deb", "-c", deb.toString())).stdout();
        List<String> paths = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] f = line.trim().split("\\s+");
            paths.add(f[f.length - 1]);
        }
        assertThat(paths).contains("./lib/systemd/system/tapswitch.service", "./usr/bin/tapswitch",
                "./usr/share/tapswitch/tapswitch-agent.jar", "./etc/tapswitch/switch.yaml",
                "./usr/share/man/man1/tapswitch.1.gz", "./usr/share/man/man1/tapswitch-run.1.gz",
                "./usr/share/bash-completion/completions/tapswitch", "./usr/share/doc/tapswitch/privileges.md");
        assertThat(paths).anyMatch(p -> p.matches("\\./usr/share/tapswitch/lib/picocli-.*\\.jar"));
        Path qemuScripts = Path.of("..").toAbsolutePath().normalize().resolve("scripts/qemu");
        if (Files.isDirectory(qemuScripts)) {
            try (DirectoryStream<Path> scripts = Files.newDirectoryStream(qemuScripts)) {
                for (Path s : scripts) {
                    assertThat(paths).as("scripts/qemu/%s shipped", s.getFileName())
                            .contains("./usr/lib/tapswitch/" + s.getFileName());
                }
            }
        }
        String info = HostCommand.check(List.of("dpkg-deb", "-I", deb.toString())).stdout();
        assertThat(info).contains("Depends: default-jre-headless | openjdk-17-jre-headless").contains("Architecture: all");
        assertThat(HostCommand.check(List.of("dpkg-deb", "-f", deb.toString(), "Package")).stdout().strip()).isEqualTo("tapswitch");
        String conffiles = HostCommand.check(List.of("sh", "-c", "dpkg-deb --ctrl-tarfile '" + deb + "' | tar -xO ./conffiles")).stdout();
        assertThat(conffiles.strip()).isEqualTo("/etc/tapswitch/switch.yaml");
    }

    @Test
    @Order(2)
    void installsAndServesAsTheUnitStartsIt() throws Exception {
        CommandResult install = HostCommand.run(APT, List.of("sh", "-c",
                "cd '" + deb.getParent() + "' && apt install -y ./" + deb.getFileName()));
        installed = true;
        assertThat(install.exitCode()).as(install.output()).isZero();
        assertThat(HostCommand.run(List.of("getent", "passwd", "tapswitch")).succeeded()).as("postinst made the user").isTrue();
        assertThat(HostCommand.check(List.of("sh", "-c", "zcat /usr/share/man/man1/tapswitch-run.1.gz")).stdout())
                .as("a troff man page").contains(".TH \"TAPSWITCH").contains("config");
        String config = Files.readString(CONFIG);
        assertThat(config).as("the default config serves the console on loopback")
                .contains("host: 127.0.0.1").contains("port: 8080");

        ServiceUnit unit = ServiceUnit.read(UNIT);
        assertThat(unit.user()).isEqualTo("tapswitch");
        assertThat(unit.settings()).containsEntry("ProtectSystem", "strict").containsEntry("StateDirectory", "tapswitch")
                .containsEntry("RuntimeDirectory", "tapswitch").containsEntry("CapabilityBoundingSet", "CAP_NET_ADMIN CAP_NET_RAW")
                .containsEntry("AmbientCapabilities", "CAP_NET_ADMIN CAP_NET_RAW");
        // 8080 may be taken on a shared machine: the admin's edit of the conffile, nothing else.
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(CONFIG, config.replace("port: 8080", "port: " + port));

        Path runtime = Files.createDirectories(Path.of("/run/tapswitch-package-it"));
        HostCommand.check(List.of("chown", "tapswitch:tapswitch", runtime.toString()));
        try (ServiceProcess service = ServiceProcess.start(unit.setpriv(unit.user(), unit.execStart()),
                Path.of(unit.settings().get("WorkingDirectory")), runtime, Files.createTempFile("tsp-package", ".log"))) {
            assertThat(Long.parseLong(ServiceProcess.status(service.pid(), "CapEff"), 16)).isEqualTo(0x3000L);
            ApiClient api = new ApiClient("http://127.0.0.1:" + port, null);
            JsonNode sw = api.get("/switch");
            assertThat(sw.path("name").asText()).isEqualTo("tapswitch");
            assertThat(sw.path("configFile").asText()).isEqualTo(CONFIG.toString());
            api.post("/ports", Map.of("name", "tsp-pk1", "kind", "tap"));
            assertThat(Files.readString(CONFIG)).as("API changes reach the conffile").contains("tsp-pk1");
            assertThat(service.stop()).isIn(0, 143);
            System.out.println(service.log());
        }
    }
}
