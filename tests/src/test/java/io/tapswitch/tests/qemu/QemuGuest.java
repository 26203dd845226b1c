package io.tapswitch.tests.qemu;

import io.tapswitch.agent.vm.ConsoleLog;
import io.tapswitch.agent.vm.GuestConsole;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A QEMU guest started the way a user starts one, by hand, not through a lab: the test guest
 * (kernel and busybox initramfs from {@code vm-configs/guest}) under TCG, one virtio NIC on the
 * {@code -netdev} the test gives, its serial console on a socket for {@link #exec}. The command may
 * start with a prefix ({@code setpriv ...}) that runs QEMU as another user; QEMU's own messages
 * are kept in {@link #stderr}. Closing stops QEMU with SIGTERM, as a user's Ctrl-C or a service
 * stop would, so that QEMU runs its {@code downscript} and closes its TAP.
 */
final class QemuGuest implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Duration BOOT = Duration.ofSeconds(180);

    private final Process process;
    private final Path dir;
    private final Path stderr;

    private QemuGuest(Process process, Path dir, Path stderr) {
        this.process = process;
        this.dir = dir;
        this.stderr = stderr;
    }

    /**
     * Starts QEMU; does not wait for the guest.
     *
     * @param prefix  words before the QEMU binary (to run it as another user), or empty
     * @param netdev  the {@code -netdev} value; its id must be {@code n0}
     * @param mac     the NIC's MAC
     * @param ip      the guest's address, CIDR
     * @param env     variables added to QEMU's environment (its scripts see them)
     * @param dir     where the console socket and log go; must be writable by QEMU's user
     */
    static QemuGuest start(List<String> prefix, String netdev, String mac, String ip, Map<String, String> env, Path dir)
            throws IOException {
        Path guest = ROOT.resolve("vm-configs/guest/out");
        Path socket = dir.resolve("console.sock");
        Path log = dir.resolve("console.log");
        Path stderr = dir.resolve("qemu.stderr");
        List<String> args = new ArrayList<>(prefix);
        args.addAll(List.of("qemu-system-x86_64", "-name", "tsq-guest", "-machine", "q35", "-accel", "tcg",
                "-m", "256", "-smp", "1", "-nodefaults", "-nographic", "-no-reboot",
                "-kernel", guest.resolve("vmlinuz").toString(), "-initrd", guest.resolve("initramfs.cpio.gz").toString(),
                "-append", "console=ttyS0 panic=-1 ts.hostname=tsq ts.ip=" + ip,
                "-netdev", netdev, "-device", "virtio-net-pci,netdev=n0,mac=" + mac + ",romfile=",
                "-chardev", "socket,id=console,path=" + socket + ",server=on,wait=off,logfile=" + log + ",logappend=on",
                "-serial", "chardev:console", "-monitor", "none"));
        ProcessBuilder pb = new ProcessBuilder(args).redirectOutput(dir.resolve("qemu.stdout").toFile())
                .redirectError(stderr.toFile());
        pb.environment().putAll(env);
        return new QemuGuest(pb.start(), dir, stderr);
    }

    Process process() {
        return process;
    }

    /** Waits until the guest's network is configured (its init prints TS-READY). */
    QemuGuest awaitReady() throws Exception {
        Path log = dir.resolve("console.log");
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (!Files.exists(log) && System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("QEMU exited: %s", stderr()).isTrue();
            Thread.sleep(100);
        }
        ConsoleLog.waitFor(log, Pattern.compile("TS-READY"), BOOT);
        return this;
    }

    /** What QEMU wrote to its standard error so far (its scripts' and helpers' messages too). */
    String stderr() throws IOException {
        return Files.exists(stderr) ? Files.readString(stderr) : "";
    }

    /** Waits for QEMU to exit by itself; its status, or throws when it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("QEMU still running after " + timeout);
        }
        return process.exitValue();
    }

    /** Whether {@code count} pings from the guest to {@code address} all came back. */
    boolean pings(String address, int count) throws Exception {
        try (GuestConsole console = GuestConsole.connect(dir.resolve("console.sock"))) {
            GuestConsole.Result r = console.exec("ping -c " + count + " -W 2 " + address, Duration.ofSeconds(30));
            return r.output().contains(count + " packets received");
        } catch (TimeoutException e) {
            throw new AssertionError("guest did not finish its ping in 30 s", e);
        }
    }

    /** Stops QEMU with SIGTERM (its downscript runs, its TAP closes) and waits for it. */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
