package io.tapswitch.tests.vm;

import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.agent.vm.ConsoleLog;
import io.tapswitch.agent.vm.ConsolePaths;
import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.agent.vm.LabFile;
import io.tapswitch.agent.vm.Labs;
import io.tapswitch.tests.lab.GuestImage;
import io.tapswitch.tests.lab.SwitchUnderTest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lab file from {@code vm-configs/} brought up for real, the way {@code tapswitch vm up} brings it
 * up: the guest image built from Debian packages, then the lab handed to an agent's {@link Labs},
 * which creates the TAPs, attaches them as netdev (AF_PACKET) ports through its control plane and
 * starts the QEMU guests. Commands run on a guest over its serial console, found from the lab's
 * console log as the CLI finds it. Closing brings the lab down (guests, ports, TAPs) and stops the
 * agent, also after a failure.
 */
final class VmLab implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) packets received");

    private final SwitchUnderTest sw;
    private final LabFile lab;
    private final List<Labs.VmView> vms;
    private final long bootMillis;

    private VmLab(SwitchUnderTest sw, LabFile lab, List<Labs.VmView> vms, long bootMillis) {
        this.sw = sw;
        this.lab = lab;
        this.vms = vms;
        this.bootMillis = bootMillis;
    }

    /** Builds the guest if needed, starts an agent and the lab on it, and waits for every guest's network. */
    static VmLab up(String labFile) throws Exception {
        GuestImage.build();
        Path file = ROOT.resolve("vm-configs").resolve(labFile);
        LabFile lab = LabFile.load(file);
        SwitchUnderTest sw = SwitchUnderTest.start(lab.name());
        long start = System.nanoTime();
        try {
            List<Labs.VmView> vms = sw.agent().labs().up(file.toString());
            for (Labs.VmView vm : vms) {
                ConsoleLog.waitFor(Path.of(vm.consoleLog()), Pattern.compile("TS-READY"), BOOT);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("%s: %d guests booted in %.1f s%n", lab.name(), vms.size(), millis / 1000.0);
            return new VmLab(sw, lab, vms, millis);
        } catch (Exception | Error e) {
            sw.close();
            throw e;
        }
    }

    /** The agent's switch, read-only. */
    SwitchView view() {
        return sw.view();
    }

    SwitchUnderTest sw() {
        return sw;
    }

    LabFile lab() {
        return lab;
    }

    long bootMillis() {
        return bootMillis;
    }

    /** Runs a shell command in a guest over its serial console. */
    GuestConsole.Result exec(String vm, String command, Duration timeout) throws Exception {
        Labs.VmView view = vms.stream().filter(v -> v.name().equals(vm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + lab.name() + " has no VM " + vm));
        Path log = Path.of(view.consoleLog());
        try (GuestConsole console = GuestConsole.connect(ConsolePaths.in(log.getParent(), vm).socket())) {
            return console.exec(command, timeout);
        } catch (TimeoutException e) {
            throw new AssertionError("guest " + vm + " did not finish '" + command + "' in " + timeout, e);
        }
    }

    /**
     * Whether {@code count} pings from {@code vm} to {@code address} all came back: for positives
     * only, since "not all" passes a partial leak; a negative uses {@link #ping} and a capture.
     */
    boolean pings(String vm, String address, int count) throws Exception {
        GuestConsole.Result r = exec(vm, "ping -c " + count + " -W 2 " + address, Duration.ofSeconds(30));
        return r.output().contains(count + " packets received");
    }

    /** What one run of ping in a guest reported: echo requests sent and replies received. */
    record Ping(int transmitted, int received, String output) {
    }

    /**
     * Runs {@code count} pings from {@code vm} to {@code address} and counts requests and replies, so
     * that a negative can demand zero replies rather than "not all of them". A ping that printed no
     * summary (no route: nothing was ever sent) fails here instead of passing as a negative.
     */
    Ping ping(String vm, String address, int count) throws Exception {
        GuestConsole.Result r = exec(vm, "ping -c " + count + " -W 2 " + address, Duration.ofSeconds(30));
        Matcher m = PING_SUMMARY.matcher(r.output());
        if (!m.find()) {
            throw new AssertionError("ping " + address + " in " + vm + " printed no summary: " + r.output());
        }
        return new Ping(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), r.output());
    }

    /** Brings the lab down through the agent (guests stopped, ports and TAPs removed), then stops the agent. */
    @Override
    public void close() throws Exception {
        try {
            sw.agent().labs().down(lab.name());
            for (Labs.VmView vm : vms) {
                assertThat(ProcessHandle.of(vm.pid()).map(ProcessHandle::isAlive).orElse(false))
                        .as("QEMU of %s left running", vm.name()).isFalse();
            }
        } finally {
            sw.close();
        }
    }
}
