package io.tapswitch.tests.qemu;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.state.TransientPorts;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
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
 * The shipped {@code scripts/qemu/qemu-ifup} and {@code qemu-ifdown} as QEMU runs them
 * ({@code -netdev tap,script=...,downscript=...}): the TAP QEMU makes becomes a transient port in
 * the VLAN the environment asks for, the guest reaches a namespace host of that VLAN and not one of
 * another, and the port goes with QEMU. With no agent to reach, QEMU refuses to start and says why.
 *
 * <p>The scripts call {@code tapswitch ctl} (here: this JVM's classpath behind a small wrapper, as
 * {@code TAPSWITCH_CLI}) or, without it, curl; both paths are run. Names: {@code tsqi-*}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QemuIfupIT {
    private static final Path IFUP = QemuGuest.ROOT.resolve("scripts/qemu/qemu-ifup");
    private static final Path IFDOWN = QemuGuest.ROOT.resolve("scripts/qemu/qemu-ifdown");
    private final List<Netns> namespaces = new ArrayList<>();
    private SwitchUnderTest sw;
    private Path dir;
    private Path cli;

    @BeforeAll
    void up() throws Exception {
        Root.require();
        GuestImage.build();
        for (String l : List.of("tsqi-vm", "tsqi-t1", "tsqi-a", "tsqi-b", "tsqi-none", "tsqi-kill")) {
            HostCommand.run("ip", "link", "del", l);
        }
        dir = Files.createTempDirectory("tsqi");
        cli = dir.resolve("tapswitch");
        Files.writeString(cli, "#!/bin/sh\nexec " + ProcessHandle.current().info().command().orElse("java")
                + " -cp '" + System.getProperty("java.class.path") + "' io.tapswitch.agent.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwxr-xr-x"));
        sw = SwitchUnderTest.start("tsq-ifup");
        host("tsqi-a", VlanConfig.access(10), "198.18.118.1/24");
        host("tsqi-b", VlanConfig.access(20), "198.18.118.2/24");
    }

    @AfterAll
    void down() {
        try {
            if (sw != null) {
                sw.close();
            }
        } finally {
            namespaces.forEach(Netns::close);
            HostCommand.run("ip", "link", "del", "tsqi-t1");
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

    private String netdev(String tap) {
        return "tap,id=n0,ifname=" + tap + ",script=" + IFUP + ",downscript=" + IFDOWN;
    }

    @Test
    void aGuestStartedWithTheIfupScriptPingsInItsVlanAndItsPortGoesWithQemu() throws Exception {
        Path vmDir = Files.createDirectories(dir.resolve("vm"));
        Map<String, String> env = Map.of("TAPSWITCH_URL", sw.agent().apiUrl(), "TAPSWITCH_VLAN", "10",
                "TAPSWITCH_CLI", cli.toString());
        try (QemuGuest guest = QemuGuest.start(List.of(), netdev("tsqi-vm"), "52:54:00:71:73:01", "198.18.118.11/24",
                env, vmDir)) {
            guest.awaitReady();
            PortSpec port = sw.control().config().port("tsqi-vm");
            assertThat(port).as("the ifup script's port").isNotNull();
            assertThat(port.kind()).isEqualTo(PortSpec.PortKindSpec.NETDEV);
            assertThat(sw.control().ownerOf("tsqi-vm")).isEqualTo(TransientPorts.API_OWNER);
            assertThat(sw.view().topology().config(sw.portId("tsqi-vm")).vlan()).isEqualTo(VlanConfig.access(10));
            assertThat(guest.pings("198.18.118.1", 3)).as("guest -> VLAN 10 host").isTrue();
            assertThat(guest.pings("198.18.118.2", 2)).as("guest -> VLAN 20 host").isFalse();
            assertThat(sw.port("tsqi-vm").stats().rxPackets()).isPositive();
            guest.close();
        }
        assertThat(sw.portId("tsqi-vm")).as("port removed when QEMU stopped").isNegative();
        assertThat(HostCommand.run("ip", "link", "show", "tsqi-vm").exitCode()).as("QEMU's TAP gone").isNotZero();
    }

    @Test
    void aKilledQemuLeavesNoPortBehind() throws Exception {
        Path vmDir = Files.createDirectories(dir.resolve("killed"));
        Map<String, String> env = Map.of("TAPSWITCH_URL", sw.agent().apiUrl(), "TAPSWITCH_VLAN", "20",
                "TAPSWITCH_CLI", "curl");
        try (QemuGuest guest = QemuGuest.start(List.of(), netdev("tsqi-kill"), "52:54:00:71:73:03", "198.18.118.13/24",
                env, vmDir)) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (sw.portId("tsqi-kill") < 0 && System.nanoTime() < deadline) {
                assertThat(guest.process().isAlive()).as("QEMU exited: %s", guest.stderr()).isTrue();
                Thread.sleep(20);
            }
            assertThat(sw.portId("tsqi-kill")).as("ifup (over curl) added the port").isNotNegative();
            // no downscript runs: the TAP goes with QEMU's descriptor, and the agent sees it go
            guest.process().destroyForcibly().waitFor();
            long killed = System.nanoTime();
            while (sw.portId("tsqi-kill") >= 0 && System.nanoTime() - killed < 1_000_000_000L) {
                Thread.sleep(5);
            }
            System.out.printf("port of the killed QEMU removed %.1f ms after it died%n", (System.nanoTime() - killed) / 1e6);
            assertThat(sw.portId("tsqi-kill")).as("port removed within 1 s of SIGKILL").isNegative();
        }
    }

    @Test
    void withoutAnAgentQemuRefusesToStartAndSaysWhy() throws Exception {
        Path vmDir = Files.createDirectories(dir.resolve("none"));
        // a port nothing listens on: the agent "is not running"
        Map<String, String> env = Map.of("TAPSWITCH_URL", "http://127.0.0.1:9", "TAPSWITCH_CLI", cli.toString());
        try (QemuGuest guest = QemuGuest.start(List.of(), netdev("tsqi-none"), "52:54:00:71:73:02", "198.18.118.12/24",
                env, vmDir)) {
            int status = guest.awaitExit(Duration.ofSeconds(60));
            String stderr = guest.stderr();
            System.out.println("QEMU without an agent, status " + status + ":\n" + stderr);
            assertThat(status).isNotZero();
            assertThat(stderr).contains("qemu-ifup: cannot reach the tapswitch agent at http://127.0.0.1:9: is it running?");
        }
        assertThat(HostCommand.run("ip", "link", "show", "tsqi-none").exitCode()).isNotZero();
    }

    @Test
    void theScriptsOverCurlAddATrunkAndIfdownRemovesIt() throws Exception {
        HostCommand.check("ip", "tuntap", "add", "tsqi-t1", "mode", "tap");
        List<String> env = List.of("env", "TAPSWITCH_URL=" + sw.agent().apiUrl(), "TAPSWITCH_CLI=curl",
                "TAPSWITCH_TRUNK=10,20-29");
        CommandResult up = HostCommand.run(concat(env, IFUP.toString(), "tsqi-t1"));
        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(sw.view().topology().config(sw.portId("tsqi-t1")).vlan())
                .isEqualTo(VlanConfig.trunk(VlanSet.parse("10,20-29")));
        assertThat(sw.control().ownerOf("tsqi-t1")).isEqualTo(TransientPorts.API_OWNER);
        // the same TAP again: the port exists, the VLAN the environment asks for is set on it
        CommandResult again = HostCommand.run(concat(List.of("env", "TAPSWITCH_URL=" + sw.agent().apiUrl(),
                "TAPSWITCH_CLI=curl", "TAPSWITCH_VLAN=30"), IFUP.toString(), "tsqi-t1"));
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(sw.view().topology().config(sw.portId("tsqi-t1")).vlan()).isEqualTo(VlanConfig.access(30));
        CommandResult down = HostCommand.run(concat(env, IFDOWN.toString(), "tsqi-t1"));
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(sw.portId("tsqi-t1")).isNegative();
        assertThat(HostCommand.run("ip", "link", "show", "tsqi-t1").exitCode()).as("the TAP is not the script's to remove").isZero();
        // ifdown of a port that is gone is fine; a bad VLAN is refused before the agent is asked
        assertThat(HostCommand.run(concat(env, IFDOWN.toString(), "tsqi-t1")).exitCode()).isZero();
        CommandResult bad = HostCommand.run(concat(List.of("env", "TAPSWITCH_VLAN=ten"), IFUP.toString(), "tsqi-t1"));
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.output()).contains("TAPSWITCH_VLAN='ten' is not a VLAN ID");
        CommandResult noAgent = HostCommand.run(concat(List.of("env", "TAPSWITCH_URL=http://127.0.0.1:9", "TAPSWITCH_CLI=curl"),
                IFUP.toString(), "tsqi-t1"));
        assertThat(noAgent.exitCode()).isNotZero();
        assertThat(noAgent.output()).contains("qemu-ifup: cannot reach the tapswitch agent at http://127.0.0.1:9");
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
