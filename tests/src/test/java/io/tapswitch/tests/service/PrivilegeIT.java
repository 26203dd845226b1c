package io.tapswitch.tests.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.client.ApiClient;
import io.tapswitch.agent.client.CtlException;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.vm.ConsoleLog;
import io.tapswitch.agent.vm.ConsolePaths;
import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.lab.GuestImage;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent started the way the packaged systemd unit starts it: the unit's {@code ExecStart}
 * under {@code setpriv} with the unit's ambient capabilities and bounding set, as a system user the
 * test creates ({@value #USER}), with {@code $RUNTIME_DIRECTORY} as systemd would set it. It has
 * exactly {@code CAP_NET_ADMIN} and {@code CAP_NET_RAW}, serves the API, and runs a two-VM lab whose
 * guests ping each other through it, their QEMU processes running as the agent's user with no
 * capability at all, and the switch learning no station but the guests.
 *
 * <p>Everything the unprivileged agent reads (its jars, the guest kernel and initramfs) is copied
 * into a directory of the test's: the checkout may sit where only root can read.
 */
class PrivilegeIT {
    static final String USER = "tsp-svc";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String MAC1 = "52:54:00:74:70:01";
    private static final String MAC2 = "52:54:00:74:70:02";

    private static Path dir;
    private static boolean createdUser;
    private static ServiceProcess agent;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        GuestImage.build();
        if (!HostCommand.run(List.of("getent", "passwd", USER)).succeeded()) {
            HostCommand.check(List.of("useradd", "--system", "--user-group", "--no-create-home",
                    "--shell", "/usr/sbin/nologin", USER));
            createdUser = true;
        }
        dir = Files.createTempDirectory("tsp-privilege");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path app = Files.createDirectories(dir.resolve("app"));
        Files.copy(ROOT.resolve("agent/target/tapswitch-agent.jar"), app.resolve("tapswitch-agent.jar"));
        HostCommand.check(List.of("cp", "-r", ROOT.resolve("agent/target/lib").toString(), app.toString()));
        Path guest = Files.createDirectories(dir.resolve("guest"));
        for (String f : List.of("vmlinuz", "initramfs.cpio.gz")) {
            Files.copy(ROOT.resolve("vm-configs/guest/out").resolve(f), guest.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("switch.yaml"), "name: tsp\nhttp: {host: 127.0.0.1, port: 0}\nports: []\n");
        Files.writeString(dir.resolve("lab.yaml"), """
                name: tsp-lab
                guest: {kernel: guest/vmlinuz, initrd: guest/initramfs.cpio.gz, memory: 256, accel: auto}
                vms:
                  - name: vm1
                    nics: [{port: tsp-vm1, mac: "%s", ip: 198.18.70.1/24}]
                  - name: vm2
                    nics: [{port: tsp-vm2, mac: "%s", ip: 198.18.70.2/24}]
                """.formatted(MAC1, MAC2));
        Files.writeString(dir.resolve("other-user.yaml"), Files.readString(dir.resolve("lab.yaml"))
                .replace("name: tsp-lab", "name: tsp-lab2\nuser: root"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Path state = Files.createDirectories(dir.resolve("state"));
        HostCommand.check(List.of("chown", "-R", USER + ":" + USER, etc.toString(), run.toString(), state.toString()));

        ServiceUnit unit = ServiceUnit.read(ServiceUnit.SOURCE);
        assertThat(unit.execStart()).as("ExecStart runs the installed launcher").startsWith("/usr/bin/tapswitch", "run");
        // The launcher is 'exec java -jar /usr/share/tapswitch/tapswitch-agent.jar "$@"'; here the copy.
        List<String> command = new ArrayList<>(List.of("java", "-jar", app.resolve("tapswitch-agent.jar").toString()));
        for (String word : unit.execStart().subList(1, unit.execStart().size())) {
            command.add(word.equals("/etc/tapswitch/switch.yaml") ? etc.resolve("switch.yaml").toString() : word);
        }
        agent = ServiceProcess.start(unit.setpriv(USER, command), state, run, dir.resolve("agent.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (agent != null) {
                assertThat(ServiceUnit.read(ServiceUnit.SOURCE).successExitStatus())
                        .as("exit status after SIGTERM, which the unit must count as success")
                        .contains(Integer.toString(agent.stop()));
                System.out.println(agent.log());
            }
            for (String tap : List.of("tsp-vm1", "tsp-vm2")) {
                assertThat(NetDevice.exists(tap)).as("TAP %s removed", tap).isFalse();
            }
        } finally {
            if (dir != null) {
                HostCommand.run(List.of("rm", "-rf", dir.toString()));
            }
            if (createdUser) {
                HostCommand.run(List.of("userdel", USER));
            }
        }
    }

    @Test
    void exactlyNetAdminAndNetRawAndNotRoot() throws Exception {
        long pid = agent.pid();
        ServiceUnit unit = ServiceUnit.read(ServiceUnit.SOURCE);
        long expected = ServiceUnit.mask(unit.ambientCaps());
        assertThat(expected).isEqualTo(0x3000L);
        for (String set : List.of("CapEff", "CapPrm", "CapAmb", "CapBnd")) {
            assertThat(Long.parseLong(ServiceProcess.status(pid, set), 16)).as(set).isEqualTo(expected);
        }
        int uid = Integer.parseInt(HostCommand.check(List.of("id", "-u", USER)).stdout().strip());
        assertThat(ServiceProcess.status(pid, "Uid").split("\\s+")).as("real, effective, saved, fs uid").containsOnly(Integer.toString(uid));
        JsonNode sw = new ApiClient(agent.apiUrl(), null).get("/switch");
        assertThat(sw.path("name").asText()).isEqualTo("tsp");
    }

    @Test
    void runsATwoVmLabWithUnprivilegedGuests() throws Exception {
        ApiClient api = new ApiClient(agent.apiUrl(), null);
        api.post("/labs", Map.of("file", dir.resolve("lab.yaml").toString()));
        try {
            JsonNode vms = api.get("/vms").path("vms");
            assertThat(vms).hasSize(2);
            int uid = Integer.parseInt(HostCommand.check(List.of("id", "-u", USER)).stdout().strip());
            for (JsonNode vm : vms) {
                long pid = vm.path("pid").asLong();
                assertThat(ServiceProcess.status(pid, "Uid").split("\\s+")).as("QEMU of %s runs as the agent's user", vm.path("name").asText())
                        .containsOnly(Integer.toString(uid)).doesNotContain("0");
                assertThat(Long.parseLong(ServiceProcess.status(pid, "CapEff"), 16)).as("QEMU's capabilities").isZero();
                assertThat(Long.parseLong(ServiceProcess.status(pid, "CapAmb"), 16)).isZero();
                assertThat(ServiceProcess.status(pid, "NoNewPrivs")).isEqualTo("1");
                ConsoleLog.waitFor(Path.of(vm.path("consoleLog").asText()), Pattern.compile("TS-READY"), Duration.ofSeconds(180));
            }
            Path log = Path.of(vms.get(0).path("consoleLog").asText());
            String vm1 = vms.get(0).path("name").asText();
            String peer = vm1.equals("vm1") ? "198.18.70.2" : "198.18.70.1";
            try (GuestConsole console = GuestConsole.connect(ConsolePaths.in(log.getParent(), vm1).socket())) {
                GuestConsole.Result ping = console.exec("ping -c 3 -W 2 " + peer, Duration.ofSeconds(30));
                assertThat(ping.output()).contains("3 packets received");
            }
            List<String> stations = new ArrayList<>();
            api.get("/fdb").path("entries").forEach(e -> stations.add(e.path("mac").asText() + "@" + e.path("port").asText()));
            assertThat(stations).as("no station the lab did not create (the TAPs' own MACs above all)")
                    .containsExactlyInAnyOrder(MAC1 + "@tsp-vm1", MAC2 + "@tsp-vm2");

            assertThatThrownBy(() -> api.post("/labs", Map.of("file", dir.resolve("other-user.yaml").toString())))
                    .as("an agent that is not root cannot start guests as another user")
                    .isInstanceOf(CtlException.class).hasMessageContaining("user");
        } finally {
            api.delete("/labs/tsp-lab", Map.of());
        }
        assertThat(NetDevice.exists("tsp-vm1")).isFalse();
    }
}
