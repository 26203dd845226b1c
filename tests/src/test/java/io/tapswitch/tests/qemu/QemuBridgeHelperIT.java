package io.tapswitch.tests.qemu;

import io.tapswitch.agent.attach.AutoAttach;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.BridgeHelperSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.tests.lab.GuestImage;
import io.tapswitch.tests.lab.SwitchUnderTest;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -netdev bridge,br=tapswitch,helper=scripts/qemu/qemu-bridge-helper} run by an unprivileged
 * user, as a user runs it: the user (made by the test, removed after) is allowed in VLAN 10 by the
 * access list, so its guest pings a namespace host of VLAN 10 and not one of VLAN 20, QEMU runs
 * with the user's uid, and the TAP is owned by the user. Once QEMU exits, its TAP and port go.
 * Another user, whom the list does not name, gets QEMU's refusal with the agent's reason.
 * Names: users {@code tsqb-*}, interfaces {@code tsqb-*} and the agent's {@code qemuN}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QemuBridgeHelperIT {
    private static final String ALLOWED = "tsqb-alice";
    private static final String REFUSED = "tsqb-bob";
    private static final Path HELPER = QemuGuest.ROOT.resolve("scripts/qemu/qemu-bridge-helper");
    private final List<Netns> namespaces = new ArrayList<>();
    private SwitchUnderTest sw;
    private Path dir;
    private Path acl;
    private Path socket;

    @BeforeAll
    void up() throws Exception {
        Root.require();
        GuestImage.build();
        for (String l : List.of("tsqb-a", "tsqb-b")) {
            HostCommand.run("ip", "link", "del", l);
        }
        dir = Files.createTempDirectory("tsqb");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String user : List.of(ALLOWED, REFUSED)) {
            HostCommand.run("userdel", "-r", user);
            HostCommand.check("useradd", "--create-home", "--home-dir", dir.resolve("home-" + user).toString(),
                    "--shell", "/usr/sbin/nologin", user);
        }
        acl = dir.resolve("bridge.acl");
        Files.writeString(acl, "# the test's access list\ndeny user nobody\nallow user " + ALLOWED + " vlan 10\n");
        socket = dir.resolve("bridge.sock");
        sw = SwitchUnderTest.start(new AgentConfig("tsq-bridge", null, null, List.of())
                .withBridgeHelper(new BridgeHelperSpec(socket.toString(), acl.toString())));
        host("tsqb-a", VlanConfig.access(10), "198.18.119.1/24");
        host("tsqb-b", VlanConfig.access(20), "198.18.119.2/24");
    }

    @AfterAll
    void down() {
        try {
            if (sw != null) {
                sw.close();
            }
        } finally {
            namespaces.forEach(Netns::close);
            for (String user : List.of(ALLOWED, REFUSED)) {
                HostCommand.run("userdel", "-r", user);
            }
            if (dir != null) {
                HostCommand.run("rm", "-rf", dir.toString());
            }
        }
    }

    private void host(String name, VlanConfig vlan, String cidr) {
        String port = sw.addTap(name, vlan);
        Netns ns = Netns.create(port);
        namespaces.add(ns);
        ns.adopt(port);
        ns.configure(port, null, cidr, null);
    }

    /** QEMU as {@code user}, with no privilege, its console in a directory of its own. */
    private QemuGuest qemuAs(String user, String mac, String ip) throws Exception {
        Path vmDir = Files.createDirectories(dir.resolve("vm-" + user));
        HostCommand.check("chown", user + ":", vmDir.toString());
        Map<String, String> env = Map.of("TAPSWITCH_BRIDGE_SOCKET", socket.toString(),
                "TAPSWITCH_JAR", QemuGuest.ROOT.resolve("agent/target/tapswitch-agent.jar").toString(),
                "JAVA", ProcessHandle.current().info().command().orElse("java"),
                "HOME", dir.resolve("home-" + user).toString());
        return QemuGuest.start(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"),
                "bridge,id=n0,br=tapswitch,helper=" + HELPER, mac, ip, env, vmDir);
    }

    private static int uidOf(String user) {
        return Integer.parseInt(HostCommand.check("id", "-u", user).stdout().trim());
    }

    /** The effective uid of process {@code pid}, from its status. */
    private static int effectiveUid(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        throw new AssertionError("no Uid line for " + pid);
    }

    @Test
    void anAllowedUsersGuestPingsInItsVlanWithQemuRunningAsThatUser() throws Exception {
        String tap;
        try (QemuGuest guest = qemuAs(ALLOWED, "52:54:00:71:74:01", "198.18.119.11/24")) {
            guest.awaitReady();
            assertThat(effectiveUid(guest.process().pid())).as("QEMU's uid").isEqualTo(uidOf(ALLOWED));
            PortSpec port = sw.control().config().ports().stream().filter(p -> p.name().startsWith("qemu"))
                    .findFirst().orElseThrow(() -> new AssertionError("no qemuN port: " + sw.control().config().ports()));
            tap = port.name();
            assertThat(sw.control().ownerOf(tap)).isEqualTo(AutoAttach.BRIDGE_OWNER + " " + ALLOWED);
            assertThat(sw.view().topology().config(sw.portId(tap)).vlan()).isEqualTo(VlanConfig.access(10));
            assertThat(Files.readString(Path.of("/sys/class/net", tap, "owner")).trim())
                    .as("TUNSETOWNER").isEqualTo(Integer.toString(uidOf(ALLOWED)));
            assertThat(guest.pings("198.18.119.1", 3)).as("guest -> VLAN 10 host").isTrue();
            assertThat(guest.pings("198.18.119.2", 2)).as("guest -> VLAN 20 host").isFalse();
            assertThat(sw.port(tap).stats().rxPackets()).isPositive();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sw.portId(tap) >= 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sw.portId(tap)).as("port removed once QEMU closed the TAP").isNegative();
        assertThat(Files.exists(Path.of("/sys/class/net", tap))).as("TAP gone with QEMU").isFalse();
    }

    @Test
    void aUserTheListDoesNotNameIsRefusedWithTheReason() throws Exception {
        int portsBefore = sw.control().config().ports().size();
        try (QemuGuest guest = qemuAs(REFUSED, "52:54:00:71:74:02", "198.18.119.12/24")) {
            int status = guest.awaitExit(Duration.ofSeconds(60));
            String stderr = guest.stderr();
            System.out.println("QEMU of " + REFUSED + ", status " + status + ":\n" + stderr);
            assertThat(status).isNotZero();
            assertThat(stderr).contains("qemu-bridge-helper: user " + REFUSED + " may not attach to the switch: no line of "
                    + acl + " allows " + REFUSED + " (uid " + uidOf(REFUSED) + ")");
        }
        assertThat(sw.control().config().ports()).hasSize(portsBefore);
    }
}
