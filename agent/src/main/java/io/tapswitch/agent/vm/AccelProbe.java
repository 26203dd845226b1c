package io.tapswitch.agent.vm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Decides which accelerator {@link Accel#AUTO} means on this host.
 *
 * <p>An openable {@code /dev/kvm} is not proof that KVM works: on some hosts
 * QEMU aborts with {@code -cpu host} or the guest hangs. The only reliable
 * test is to boot the tapswitch guest with {@code ts.probe=1}, which prints
 * {@code TS-PROBE-OK} and powers off at once; if that marker does not show up
 * within the timeout, KVM is treated as unusable and TCG is used. The answer
 * is cached in memory and in a file under the state directory (which lives in
 * {@code /run} and so is forgotten at reboot), because a probe costs seconds.
 */
public class AccelProbe {
    static final String PROBE_MARKER = "TS-PROBE-OK";

    private final String qemuBinary;
    private final Path cacheFile;
    private final Duration timeout;
    private volatile Accel cached;

    /**
     * @param qemuBinary QEMU executable
     * @param cacheFile  where the verdict is remembered across invocations, or null
     * @param timeout    how long a probe boot may take before KVM counts as unusable
     */
    public AccelProbe(String qemuBinary, Path cacheFile, Duration timeout) {
        this.qemuBinary = qemuBinary;
        this.cacheFile = cacheFile;
        this.timeout = timeout;
    }

    /**
     * The concrete accelerator for {@code requested}: explicit choices are
     * honoured as given, {@code auto} is probed once using the guest kernel, booted as {@code user}
     * (who may lack access to {@code /dev/kvm} that the agent has).
     */
    public Accel resolve(Accel requested, String kernel, String initrd, GuestUser user) {
        if (requested != Accel.AUTO) {
            return requested;
        }
        Accel known = cached;
        if (known == null) {
            known = readCache();
        }
        if (known == null) {
            known = kvmDeviceOpens() && kernel != null && probeBoot(kernel, initrd, user) ? Accel.KVM : Accel.TCG;
            writeCache(known);
        }
        cached = known;
        return known;
    }

    private static boolean kvmDeviceOpens() {
        try (RandomAccessFile ignored = new RandomAccessFile("/dev/kvm", "rw")) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean probeBoot(String kernel, String initrd, GuestUser user) {
        List<String> args = new ArrayList<>(List.of(qemuBinary, "-machine", "q35", "-accel", "kvm", "-cpu", "host",
                "-m", "128", "-nodefaults", "-nographic", "-no-reboot", "-kernel", kernel));
        if (initrd != null) {
            args.addAll(List.of("-initrd", initrd));
        }
        args.addAll(List.of("-append", "console=ttyS0 panic=-1 ts.probe=1", "-serial", "stdio", "-monitor", "none"));
        Process process;
        try {
            process = new ProcessBuilder(user.launch(args)).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            return false;
        }
        CompletableFuture<Boolean> sawMarker = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains(PROBE_MARKER)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        });
        try {
            return sawMarker.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return false;
        } finally {
            process.destroyForcibly();
        }
    }

    private Accel readCache() {
        if (cacheFile == null || !Files.isRegularFile(cacheFile)) {
            return null;
        }
        try {
            return Accel.of(Files.readString(cacheFile).strip());
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private void writeCache(Accel accel) {
        if (cacheFile == null) {
            return;
        }
        try {
            Files.createDirectories(cacheFile.getParent());
            Files.writeString(cacheFile, accel.id() + "\n");
        } catch (IOException e) {
            // The cache only saves time; failing to write it must not fail the lab.
        }
    }
}
