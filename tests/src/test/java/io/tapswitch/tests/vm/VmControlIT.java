package io.tapswitch.tests.vm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.Agent;
import io.tapswitch.agent.client.ApiClient;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.vm.ConsoleLog;
import io.tapswitch.agent.vm.PortAttacher;
import io.tapswitch.agent.vm.VmManager;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.lab.GuestImage;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-VM control of a two-guest lab, as a user types it, with one boot of the lab: a NIC's link
 * taken down (the guest sees no carrier and cannot ping its peer) and up again; a VM stopped (its
 * QEMU gone, listed STOPPED, unreachable, its port kept), started and restarted (reachable again);
 * {@code vm console} driven through pipes (a typed command's output comes back, {@code vm exec}
 * is refused meanwhile, Ctrl-] ends it with status 0); and a QEMU killed with SIGKILL while a
 * console is attached and between a start and a stop: reported, never a hang.
 * Its links are named {@code tsvc-*}.
 */
class VmControlIT {
    private static final String LAB = "vmctl";
    private static final List<String> PORTS = List.of("tsvc-vm1-0", "tsvc-vm2-0");
    private static final Pattern READY = Pattern.compile("TS-READY");
    private static Path dir;
    private static Path labFile;
    private static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        dir = Files.createTempDirectory("tsvmctl");
        labFile = dir.resolve("vmctl.yaml");
        Files.writeString(labFile, """
                name: vmctl
                guest:
                  kernel: %s
                  initrd: %s
                  memory: 256
                  accel: auto
                vms:
                  - name: vm1
                    nics:
                      - {port: tsvc-vm1-0, mac: "52:54:00:74:76:11", ip: 198.18.0.11/24}
                  - name: vm2
                    nics:
                      - {port: tsvc-vm2-0, mac: "52:54:00:74:76:12", ip: 198.18.0.12/24}
                """.formatted(GuestImage.kernel(), GuestImage.initrd()));
        agent = CliAgent.start("vmctl");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            VmManager.withDefaults(PortAttacher.NONE).down(LAB);
            HostCommand.run(List.of("rm", "-rf", dir.toString()));
        }
        CliAgent.assertTapsRemoved(PORTS);
    }

    private static CommandResult vm(String... rest) {
        return Cli.run(agent.apiUrl(), "vm", rest);
    }

    private static JsonNode vmView(String name) {
        for (JsonNode v : new ApiClient(agent.apiUrl(), null).get("/vms").path("vms")) {
            if (v.path("lab").asText().equals(LAB) && v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("VM " + name + " not listed");
    }

    /** Whether {@code count} pings from vm1 to vm2 all come back, trying up to three times (ARP, carrier settling). */
    private static boolean vm1PingsVm2(int tries) {
        for (int i = 0; i < tries; i++) {
            CommandResult r = vm("exec", LAB, "vm1", "ping", "-c", "2", "-W", "1", "198.18.0.12");
            if (r.exitCode() == 0 && r.output().contains("2 packets received")) {
                return true;
            }
        }
        return false;
    }

    private static void awaitReady(String name) throws Exception {
        ConsoleLog.waitFor(Path.of(vmView(name).path("consoleLog").asText()), READY, Duration.ofSeconds(180));
    }

    /** {@code ip link show eth0} in the guest, repeated until it contains {@code flag} or the time is up. */
    private static String guestLinkShows(String vm, String flag, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        String shown;
        do {
            shown = vm("exec", LAB, vm, "ip", "link", "show", "eth0").output();
            if (shown.contains(flag)) {
                return shown;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return shown;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void linkStopStartRestartConsoleAndAKilledQemu() throws Exception {
        long t0 = System.nanoTime();
        CommandResult up = vm("up", labFile.toString());
        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(vm1PingsVm2(3)).as("the lab works before anything is done to it").isTrue();

        // Link down: the switch port is disabled and the guest sees no carrier.
        CommandResult down = vm("link", LAB, "vm1", "eth0", "down");
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(down.output()).contains("tsvc-vm1-0").contains("link down").doesNotContain("not running");
        assertThat(agent.controlPlane().config().port("tsvc-vm1-0").enabled()).isFalse();
        assertThat(vm("exec", LAB, "vm1", "cat", "/sys/class/net/eth0/carrier").output().strip()).isEqualTo("0");
        // The carrier bit changes at once; the operational state behind NO-CARRIER follows through the
        // guest kernel's link watch, up to a second later.
        assertThat(guestLinkShows("vm1", "NO-CARRIER", Duration.ofSeconds(5))).contains("NO-CARRIER");
        assertThat(vm("exec", LAB, "vm1", "ping", "-c", "2", "-W", "1", "198.18.0.12").exitCode())
                .as("no ping across a link that is down").isNotZero();
        CommandResult linkUp = vm("link", LAB, "vm1", "eth0", "up");
        assertThat(linkUp.exitCode()).as(linkUp.output()).isZero();
        assertThat(agent.controlPlane().config().port("tsvc-vm1-0").enabled()).isTrue();
        assertThat(vm("exec", LAB, "vm1", "cat", "/sys/class/net/eth0/carrier").output().strip()).isEqualTo("1");
        assertThat(vm1PingsVm2(3)).as("pings pass once the link is up again").isTrue();

        // Stop: QEMU gone, listed STOPPED, unreachable; the port stays in the switch.
        long pid2 = vmView("vm2").path("pid").asLong();
        CommandResult stop = vm("stop", LAB, "vm2");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(alive(pid2)).as("QEMU of vm2 ended").isFalse();
        assertThat(vm("list").output()).containsPattern("vm2\\s+vmctl\\s+\\d+\\s+STOPPED");
        assertThat(vmView("vm2").path("state").asText()).isEqualTo("STOPPED");
        assertThat(agent.controlPlane().config().port("tsvc-vm2-0")).as("port kept").isNotNull();
        assertThat(vm("exec", LAB, "vm1", "ping", "-c", "2", "-W", "1", "198.18.0.12").exitCode()).isNotZero();

        // Start and restart: a new QEMU on the same port, reachable again.
        CommandResult start = vm("start", LAB, "vm2");
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(start.output()).contains("RUNNING");
        awaitReady("vm2");
        assertThat(vm1PingsVm2(3)).as("pings after start").isTrue();
        long started = vmView("vm2").path("pid").asLong();
        CommandResult restart = vm("restart", LAB, "vm2");
        assertThat(restart.exitCode()).as(restart.output()).isZero();
        assertThat(alive(started)).as("restart ended the previous QEMU").isFalse();
        assertThat(vmView("vm2").path("pid").asLong()).isNotEqualTo(started);
        awaitReady("vm2");
        assertThat(vm1PingsVm2(3)).as("pings after restart").isTrue();

        // The console through pipes, as a separate CLI process.
        Process console = consoleCli("vm1");
        StringBuffer seen = readAll(console.getInputStream());
        OutputStream keys = console.getOutputStream();
        awaitText(seen, console, "", Duration.ofSeconds(20), () -> type(keys, "\n"));
        type(keys, "echo tsvc-$((6*7))-marker\n");
        awaitText(seen, console, "tsvc-42-marker", Duration.ofSeconds(20), () -> { });
        CommandResult busy = vm("exec", LAB, "vm1", "true");
        assertThat(busy.exitCode()).isNotZero();
        assertThat(busy.stderr()).contains("in use by vm console from");
        keys.write(0x1d);
        keys.flush();
        assertThat(console.waitFor(15, TimeUnit.SECONDS)).as("Ctrl-] ends the console").isTrue();
        assertThat(console.exitValue()).isZero();
        assertThat(vm("exec", LAB, "vm1", "true").exitCode()).as("the console is free again").isZero();

        // A QEMU killed with SIGKILL under an attached console: the console ends with an error, the VM shows EXITED.
        Process attached = consoleCli("vm2");
        StringBuffer seen2 = readAll(attached.getInputStream());
        awaitText(seen2, attached, "", Duration.ofSeconds(20), () -> type(attached.getOutputStream(), "\n"));
        long pid = vmView("vm2").path("pid").asLong();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        assertThat(attached.waitFor(15, TimeUnit.SECONDS)).as("the console does not hang on a dead QEMU").isTrue();
        assertThat(attached.exitValue()).isEqualTo(1);
        assertThat(vmView("vm2").path("state").asText()).as("a crash is reported as EXITED, not STOPPED").isEqualTo("EXITED");
        // Killed again right after a start: stop still returns at once, start boots it again.
        assertThat(vm("start", LAB, "vm2").exitCode()).isZero();
        ProcessHandle.of(vmView("vm2").path("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
        long stopStart = System.nanoTime();
        CommandResult stopDead = vm("stop", LAB, "vm2");
        assertThat(stopDead.exitCode()).as(stopDead.output()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - stopStart)).isLessThan(Duration.ofSeconds(10));
        assertThat(vm("start", LAB, "vm2").exitCode()).isZero();
        assertThat(vmView("vm2").path("state").asText()).isEqualTo("RUNNING");

        CommandResult labDown = vm("down", LAB);
        assertThat(labDown.exitCode()).as(labDown.output()).isZero();
        for (String port : PORTS) {
            assertThat(NetDevice.exists(port)).as("TAP %s removed by vm down", port).isFalse();
        }
        System.out.printf("VmControlIT: whole scenario in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** {@code tapswitch vm console LAB VM} in its own JVM, standard input and output on pipes. */
    private static Process consoleCli(String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                "io.tapswitch.agent.cli.Main", "vm", "console", "--url=" + agent.apiUrl(), LAB, name)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static StringBuffer readAll(InputStream in) {
        StringBuffer seen = new StringBuffer();
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (Exception e) {
                // The process ended.
            }
        });
        t.setDaemon(true);
        t.start();
        return seen;
    }

    private static void type(OutputStream keys, String text) {
        try {
            keys.write(text.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        } catch (Exception e) {
            throw new AssertionError("console CLI gone", e);
        }
    }

    /** Waits until the console shows {@code text} (any output at all for ""), running {@code poke} every second. */
    private static void awaitText(StringBuffer seen, Process p, String text, Duration timeout, Runnable poke) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (text.isEmpty() ? seen.length() == 0 : !seen.toString().contains(text)) {
            assertThat(p.isAlive()).as("console CLI running; saw: %s", seen).isTrue();
            assertThat(System.nanoTime()).as("console showed '%s' in time; saw: %s", text, seen).isLessThan(deadline);
            poke.run();
            Thread.sleep(1000);
        }
    }
}
