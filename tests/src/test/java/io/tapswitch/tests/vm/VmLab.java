package io.tapswitch.tests.vm;

import io.tapswitch.agent.lab.Command;
import io.tapswitch.agent.vm.AccelProbe;
import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.agent.vm.LabFile;
import io.tapswitch.agent.vm.QemuCommand;
import io.tapswitch.agent.vm.SwitchAttacher;
import io.tapswitch.agent.vm.TapDevices;
import io.tapswitch.agent.vm.VmManager;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lab file from {@code vm-configs/} brought up for real: the guest image built from Debian
 * packages, QEMU guests on TAPs, each TAP attached to an in-process switch as a netdev
 * (AF_PACKET) port. Closing stops the guests and removes TAPs and ports, also after a failure.
 */
final class VmLab implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Duration BOOT = Duration.ofSeconds(180);

    private final Switch datapath;
    private final LabFile lab;
    private final VmManager manager;
    private final Path state;
    private final long bootMillis;

    private VmLab(Switch datapath, LabFile lab, VmManager manager, Path state, long bootMillis) {
        this.datapath = datapath;
        this.lab = lab;
        this.manager = manager;
        this.state = state;
        this.bootMillis = bootMillis;
    }

    /** Builds the guest if needed, starts the switch and the lab, and waits for every guest's network. */
    static VmLab up(String labFile) throws Exception {
        Command.Result build = Command.run(List.of(ROOT.resolve("vm-configs/guest/build-guest.sh").toString()));
        assertThat(build.exitCode()).as("guest build: %s", build.output()).isZero();
        LabFile lab = LabFile.load(ROOT.resolve("vm-configs").resolve(labFile));
        Switch datapath = new Switch(SwitchOptions.defaults().withName(lab.name()));
        Path state = Files.createTempDirectory("tapswitch-vms");
        VmManager manager = new VmManager(state, new TapDevices(), new SwitchAttacher(datapath, lab),
                new AccelProbe(QemuCommand.DEFAULT_BINARY, state.resolve("accel"), Duration.ofSeconds(20)),
                QemuCommand.DEFAULT_BINARY);
        long start = System.nanoTime();
        try {
            manager.up(lab);
            for (LabFile.Vm vm : lab.vms()) {
                manager.waitForConsole(lab.name(), vm.name(), Pattern.compile("TS-READY"), BOOT);
            }
        } catch (Exception | Error e) {
            try {
                manager.down(lab);
            } finally {
                datapath.close();
            }
            throw e;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("%s: %d guests booted in %.1f s%n", lab.name(), lab.vms().size(), millis / 1000.0);
        return new VmLab(datapath, lab, manager, state, millis);
    }

    Switch datapath() {
        return datapath;
    }

    LabFile lab() {
        return lab;
    }

    long bootMillis() {
        return bootMillis;
    }

    /** Runs a shell command in a guest over its serial console. */
    GuestConsole.Result exec(String vm, String command, Duration timeout) throws Exception {
        try (GuestConsole console = manager.openConsole(lab.name(), vm)) {
            return console.exec(command, timeout);
        } catch (TimeoutException e) {
            throw new AssertionError("guest " + vm + " did not finish '" + command + "' in " + timeout, e);
        }
    }

    /** Whether {@code count} pings from {@code vm} to {@code address} all came back. */
    boolean pings(String vm, String address, int count) throws Exception {
        GuestConsole.Result r = exec(vm, "ping -c " + count + " -W 2 " + address, Duration.ofSeconds(30));
        return r.output().contains(count + " packets received");
    }

    @Override
    public void close() throws Exception {
        try {
            manager.down(lab);
            assertThat(Command.run(List.of("pgrep", "-f", state.toString())).ok())
                    .as("no QEMU of this lab left running").isFalse();
        } finally {
            datapath.close();
            Command.run(List.of("rm", "-rf", state.toString()));
        }
    }
}
