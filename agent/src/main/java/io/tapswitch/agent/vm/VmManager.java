package io.tapswitch.agent.vm;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Brings labs of QEMU guests up and down.
 *
 * <p>{@link #up} creates every TAP, hands it to the {@link PortAttacher} (the
 * switch) and only then starts the guests, all without waiting for one
 * another, so the switch never misses a guest's first frames and boot times
 * overlap. The QEMU processes are deliberately not tied to this JVM: their
 * pids go into a state file under {@code stateRoot/LAB/}, next to the console
 * logs and sockets, and {@link #down} and {@link #list} work from any later
 * invocation.
 */
public class VmManager {
    /** Default location of lab state; {@code /run} is emptied at boot, like the VMs it describes. */
    public static final Path DEFAULT_STATE_ROOT = Path.of("/run/tapswitch/vms");

    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final Duration EARLY_EXIT_CHECK = Duration.ofMillis(500);
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(3);

    private final Path stateRoot;
    private final TapDevices taps;
    private final PortAttacher attacher;
    private final AccelProbe accelProbe;
    private final String qemuBinary;

    /**
     * @param stateRoot  directory holding one subdirectory per lab
     * @param taps       TAP device management
     * @param attacher   connects TAPs to the switch
     * @param accelProbe resolves {@code accel: auto}
     * @param qemuBinary QEMU executable
     */
    public VmManager(Path stateRoot, TapDevices taps, PortAttacher attacher, AccelProbe accelProbe,
                     String qemuBinary) {
        if (stateRoot.toString().contains(",")) {
            throw new IllegalArgumentException("state directory must not contain ',' (QEMU option syntax): " + stateRoot);
        }
        this.stateRoot = stateRoot.toAbsolutePath().normalize();
        this.taps = taps;
        this.attacher = attacher;
        this.accelProbe = accelProbe;
        this.qemuBinary = qemuBinary;
    }

    /** A manager with the default state root, QEMU binary and a 20 s KVM probe. */
    public static VmManager withDefaults(PortAttacher attacher) {
        return new VmManager(DEFAULT_STATE_ROOT, new TapDevices(), attacher,
                new AccelProbe(QemuCommand.DEFAULT_BINARY, DEFAULT_STATE_ROOT.resolve("accel"), Duration.ofSeconds(20)),
                QemuCommand.DEFAULT_BINARY);
    }

    /** The directory holding {@code lab}'s state file, console logs and sockets. */
    public Path labDir(String lab) {
        return stateRoot.resolve(lab);
    }

    /** Console socket and log of one VM. */
    public ConsolePaths console(String lab, String vm) {
        return ConsolePaths.in(labDir(lab), vm);
    }

    /**
     * Creates the lab's TAPs, attaches them and starts every guest. Returns
     * once all QEMU processes have started; the guests are still booting, so
     * wait for {@code TS-READY} with {@link #waitForConsole} before using them.
     * On failure everything created so far is removed again.
     */
    public List<VmStatus> up(LabFile lab) {
        checkFilesExist(lab);
        Path dir = labDir(lab.name());
        Optional<LabState> previous = LabState.read(dir);
        if (previous.isPresent() && previous.get().vms().stream().anyMatch(v -> v.process().isPresent())) {
            throw new IllegalStateException("lab " + lab.name() + " is already up; run down first");
        }
        GuestUser user = GuestUser.forLab(lab.user());
        checkTunDevice(user);
        try {
            Files.createDirectories(dir);
            user.own(dir, stateRoot.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Accel accel = accelProbe.resolve(lab.guest().effectiveAccel(), lab.vms().get(0).kernel(),
                lab.vms().get(0).initrd(), user);
        List<String> created = new ArrayList<>();
        List<String> attached = new ArrayList<>();
        List<LabState.VmRecord> started = new ArrayList<>();
        try {
            for (String port : lab.ports()) {
                taps.create(port, user);
                created.add(port);
                attacher.attach(port);
                attached.add(port);
            }
            for (LabFile.Vm vm : lab.vms()) {
                started.add(start(lab, vm, accel, dir, user));
            }
            LabState state = new LabState(lab.name(), started);
            state.write(dir);
            Thread.sleep(EARLY_EXIT_CHECK.toMillis());
            for (LabState.VmRecord vm : started) {
                if (vm.process().isEmpty()) {
                    throw new IllegalStateException("QEMU for VM " + vm.name() + " exited during start: "
                            + tail(dir.resolve(vm.name() + ".qemu.log")));
                }
            }
            return statuses(state);
        } catch (RuntimeException | InterruptedException e) {
            started.forEach(VmManager::stop);
            attached.forEach(this::detachQuietly);
            created.forEach(this::deleteQuietly);
            LabState.delete(dir);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting lab " + lab.name(), e);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Stops the lab's guests (SIGTERM, then SIGKILL after a grace period),
     * detaches and deletes its TAPs. Works from a different process than the
     * one that ran {@link #up}, and also cleans up the ports of a lab whose
     * state file is gone.
     */
    public void down(LabFile lab) {
        List<String> ports = new ArrayList<>(lab.ports());
        LabState.read(labDir(lab.name())).ifPresent(state -> state.vms().forEach(v -> v.ports().stream()
                .filter(p -> !ports.contains(p)).forEach(ports::add)));
        down(lab.name(), ports);
    }

    /** Like {@link #down(LabFile)} when only the lab name is known; the ports come from the state file. */
    public void down(String labName) {
        List<String> ports = LabState.read(labDir(labName))
                .map(s -> s.vms().stream().flatMap(v -> v.ports().stream()).toList()).orElse(List.of());
        down(labName, ports);
    }

    private void down(String labName, List<String> ports) {
        Path dir = labDir(labName);
        LabState.read(dir).ifPresent(state -> {
            state.vms().forEach(VmManager::stop);
            state.vms().forEach(v -> deleteFile(Path.of(v.socket())));
            state.vms().forEach(v -> deleteFile(new ConsolePaths(Path.of(v.socket()), Path.of(v.log())).qmp()));
        });
        ports.forEach(this::detachQuietly);
        ports.forEach(this::deleteQuietly);
        LabState.delete(dir);
    }

    /** Every VM of every lab that has a state file, with whether its QEMU still runs. */
    public List<VmStatus> list() {
        List<VmStatus> all = new ArrayList<>();
        if (!Files.isDirectory(stateRoot)) {
            return all;
        }
        try (DirectoryStream<Path> labs = Files.newDirectoryStream(stateRoot, Files::isDirectory)) {
            for (Path dir : labs) {
                LabState.read(dir).ifPresent(state -> all.addAll(statuses(state)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + stateRoot, e);
        }
        return all;
    }

    /**
     * Waits until VM {@code vm} of {@code lab} prints a console line matching
     * {@code pattern}, for example {@code TS-READY}, and returns that line.
     */
    public String waitForConsole(String lab, String vm, Pattern pattern, Duration timeout)
            throws TimeoutException, InterruptedException {
        return ConsoleLog.waitFor(console(lab, vm).log(), pattern, timeout);
    }

    /** Opens an interactive connection to the serial shell of VM {@code vm}; see {@link GuestConsole}. */
    public GuestConsole openConsole(String lab, String vm) throws IOException {
        return GuestConsole.connect(console(lab, vm).socket());
    }

    /**
     * Stops one guest on purpose and records that, so that listings show it STOPPED and a restarted
     * agent neither restarts nor forgets it. Its TAPs stay (QEMU only held them open), and with them
     * its switch ports. The guest is first asked to power down over QMP; a guest that does not act on
     * the power button within {@code powerdownGrace} has QEMU quit, then SIGTERM, then SIGKILL.
     *
     * @return whether QEMU was still running (false when it had already exited)
     * @throws IllegalArgumentException when the lab is not up or has no such VM
     */
    public boolean stopVm(String lab, String vm, Duration powerdownGrace) {
        Path dir = labDir(lab);
        LabState state = LabState.read(dir).orElseThrow(() -> new IllegalArgumentException("lab " + lab + " is not up"));
        LabState.VmRecord record = record(state, vm);
        state.with(record.withStopped(true)).write(dir);
        Optional<ProcessHandle> process = record.process();
        if (process.isEmpty()) {
            return false;
        }
        ProcessHandle p = process.get();
        ConsolePaths console = console(lab, vm);
        for (String command : new String[] {"system_powerdown", "quit"}) {
            try (Qmp qmp = Qmp.connect(console.qmp(), QMP_TIMEOUT)) {
                qmp.execute(command, java.util.Map.of());
            } catch (IOException e) {
                // No QMP (a guest started before it existed) or a hung QEMU: the signals below decide.
                break;
            }
            if (awaitExit(p, command.equals("quit") ? STOP_GRACE : powerdownGrace)) {
                return true;
            }
        }
        stop(record);
        return true;
    }

    /**
     * Boots a VM that is not running (stopped or crashed) again, on the TAPs and switch ports it had.
     *
     * @throws IllegalArgumentException when the lab is not up or has no such VM
     * @throws IllegalStateException    when the VM runs, or QEMU exits at once (its output is the message)
     */
    public VmStatus startVm(LabFile lab, String vm) {
        Path dir = labDir(lab.name());
        LabState state = LabState.read(dir).orElseThrow(() -> new IllegalArgumentException("lab " + lab.name() + " is not up"));
        LabState.VmRecord old = record(state, vm);
        if (old.process().isPresent()) {
            throw new IllegalStateException("VM " + vm + " of lab " + lab.name() + " is already running (pid " + old.pid() + ")");
        }
        LabFile.Vm spec = lab.vms().stream().filter(v -> v.name().equals(vm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab file of " + lab.name() + " has no VM " + vm));
        GuestUser user = GuestUser.forLab(lab.user());
        for (String port : spec.ports()) {
            if (!taps.exists(port)) {
                // Someone deleted the TAP while the guest was down; the switch let its port go with it.
                taps.create(port, user);
                attacher.attach(port);
            }
        }
        Accel accel = accelProbe.resolve(lab.guest().effectiveAccel(), spec.kernel(), spec.initrd(), user);
        deleteFile(console(lab.name(), vm).qmp());
        LabState.VmRecord started = start(lab, spec, accel, dir, user);
        LabState next = state.with(started);
        next.write(dir);
        try {
            Thread.sleep(EARLY_EXIT_CHECK.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (started.process().isEmpty()) {
            next.with(started.withStopped(true)).write(dir);
            throw new IllegalStateException("QEMU for VM " + vm + " exited during start: "
                    + tail(dir.resolve(vm + ".qemu.log")));
        }
        return statuses(next).stream().filter(s -> s.vm().equals(vm)).findFirst().orElseThrow();
    }

    /**
     * Sets the link state of a running guest's NIC number {@code nic} as the guest sees it (carrier),
     * through QMP's {@code set_link}.
     *
     * @throws IOException when the guest has no QMP socket or QEMU refuses
     */
    public void setGuestLink(String lab, String vm, int nic, boolean up) throws IOException {
        try (Qmp qmp = Qmp.connect(console(lab, vm).qmp(), QMP_TIMEOUT)) {
            qmp.execute("set_link", java.util.Map.of("name", QemuCommand.nicId(nic), "up", up));
        }
    }

    private static LabState.VmRecord record(LabState state, String vm) {
        return state.vms().stream().filter(v -> v.name().equals(vm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + state.lab() + " has no VM " + vm));
    }

    private static boolean awaitExit(ProcessHandle p, Duration grace) {
        try {
            p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !p.isAlive();
        }
    }

    private LabState.VmRecord start(LabFile lab, LabFile.Vm vm, Accel accel, Path dir, GuestUser user) {
        ConsolePaths console = ConsolePaths.in(dir, vm.name());
        Path qemuLog = dir.resolve(vm.name() + ".qemu.log");
        try {
            Files.deleteIfExists(console.socket());
            Files.deleteIfExists(console.log());
            Process p = new ProcessBuilder(user.launch(QemuCommand.build(qemuBinary, lab.guest(), vm, accel, console)))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(qemuLog.toFile())
                    .redirectErrorStream(true)
                    .start();
            long started = p.info().startInstant().map(t -> t.toEpochMilli()).orElse(-1L);
            return new LabState.VmRecord(vm.name(), p.pid(), started, vm.ports(), console.log().toString(),
                    console.socket().toString(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start QEMU for VM " + vm.name(), e);
        }
    }

    private static void stop(LabState.VmRecord vm) {
        vm.process().ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                try {
                    p.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception ignored) {
                    // Nothing more can be done than SIGKILL; the TAP is removed regardless.
                }
            }
        });
    }

    private static List<VmStatus> statuses(LabState state) {
        return state.vms().stream().map(v -> new VmStatus(state.lab(), v.name(), v.pid(),
                v.process().isPresent() ? VmStatus.State.RUNNING
                        : v.stopped() ? VmStatus.State.STOPPED : VmStatus.State.EXITED, v.ports())).toList();
    }

    /**
     * QEMU opens {@code /dev/net/tun} itself, as the guests' user: with the 0600 some minimal
     * systems leave it at, its only error would be a bare "Permission denied" in the QEMU log.
     */
    private static void checkTunDevice(GuestUser user) {
        Path tun = Path.of("/dev/net/tun");
        if (user.uid() == 0 || !Files.exists(tun)) {
            return;
        }
        try {
            if (!Files.getPosixFilePermissions(tun).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalStateException("guests run as '" + user.name() + "' and cannot open " + tun
                        + " (mode " + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tun))
                        + "): make it 0666 as Debian's udev does (chmod 0666 /dev/net/tun; scripts/host-setup.sh does)");
            }
        } catch (IOException e) {
            // Let QEMU report what it finds.
        }
    }

    private static void checkFilesExist(LabFile lab) {
        List<String> missing = new ArrayList<>();
        for (LabFile.Vm vm : lab.vms()) {
            for (String file : new String[] {vm.kernel(), vm.initrd(), vm.disk()}) {
                if (file != null && !Files.isReadable(Path.of(file)) && !missing.contains(file)) {
                    missing.add(file);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("lab " + lab.name() + " needs files that do not exist: " + missing
                    + " (the tapswitch guest is built by vm-configs/guest/build-guest.sh)");
        }
    }

    private void detachQuietly(String port) {
        try {
            attacher.detach(port);
        } catch (RuntimeException e) {
            // Teardown continues so one stubborn port does not leave the others behind.
        }
    }

    private void deleteQuietly(String port) {
        try {
            taps.delete(port);
        } catch (RuntimeException e) {
            // As above: keep tearing down.
        }
    }

    private static void deleteFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover socket is harmless; QEMU replaces it on the next start.
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no QEMU output)";
        }
    }
}
