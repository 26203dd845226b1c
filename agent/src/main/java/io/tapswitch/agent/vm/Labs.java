package io.tapswitch.agent.vm;

import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.ConflictException;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.NotFoundException;
import io.tapswitch.core.sys.NetDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The VM labs this agent runs: a lab file brought up has each of its NICs attached as a lab port
 * (a {@link Change.AddPort} owned by the lab, see {@link io.tapswitch.agent.state.TransientPorts}) through
 * the same control plane as API changes, so the console, the events and the CLI see VM ports
 * exactly like the others.
 *
 * <p>Labs end with the agent when it stops in an orderly way: a guest whose NIC no switch serves
 * is of no use, and leaving QEMU running would leave TAPs behind that the next {@code vm up}
 * refuses to reuse. After a crash the guests keep running; {@link #resume} re-attaches their TAPs
 * when the agent starts again, from the lab file whose path {@link #up} left next to the lab's state.
 */
public final class Labs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Labs.class);
    /** Holds the absolute path of the lab file a lab was brought up from, in the lab's state directory. */
    static final String LAB_FILE_MARKER = "lab-file";
    /** How long a guest gets to act on the ACPI power button before QEMU is told to quit. */
    private static final Duration POWERDOWN_GRACE = Duration.ofSeconds(2);

    /** One VM as the API shows it. */
    public record VmView(String lab, String name, long pid, VmStatus.State state, List<String> ports, String consoleLog) {
    }

    private final ControlPlane control;
    private final Path stateRoot;
    private final String qemuBinary;
    private final Set<String> running = new LinkedHashSet<>();

    /**
     * @param stateRoot  where each lab keeps its state directory (serial logs, sockets, QEMU pids)
     * @param qemuBinary the QEMU executable guests are started with
     */
    public Labs(ControlPlane control, Path stateRoot, String qemuBinary) {
        this.control = control;
        this.stateRoot = stateRoot;
        this.qemuBinary = qemuBinary;
    }

    private VmManager manager(PortAttacher attacher) {
        return new VmManager(stateRoot, new TapDevices(), attacher,
                new AccelProbe(qemuBinary, stateRoot.resolve("accel"), Duration.ofSeconds(20)), qemuBinary);
    }

    /**
     * Reads a lab file and brings the lab up: TAPs created, attached as ports, guests started (still
     * booting when this returns). Runs on a worker thread: it creates devices and starts processes.
     *
     * @throws InvalidRequestException naming {@code file} when the path or the lab is unusable
     * @throws ConflictException       when the lab is already up or a port name is taken
     */
    public synchronized List<VmView> up(String file) {
        if (file == null || file.isBlank()) {
            throw new InvalidRequestException("file", "is required: the absolute path of a lab file");
        }
        Path path = Path.of(file);
        if (!path.isAbsolute()) {
            throw new InvalidRequestException("file", "must be an absolute path (the agent's working directory is not the caller's)");
        }
        if (!Files.isRegularFile(path)) {
            throw new InvalidRequestException("file", "no such file: " + file);
        }
        LabFile lab;
        try {
            lab = LabFile.load(path);
        } catch (InvalidLabException e) {
            throw new InvalidRequestException("file", String.join("; ", e.problems()));
        }
        String self = control.config().name();
        for (int i = 0; i < lab.vms().size(); i++) {
            String host = lab.vms().get(i).host();
            if (host != null && !host.equals(self)) {
                // Starting it through that host's API and joining its NICs over the fabric is not built yet.
                throw new InvalidRequestException("vms[" + i + "].host", "VM " + lab.vms().get(i).name() + " is to run on host '"
                        + host + "', but this agent is '" + self + "' and labs across hosts are not supported yet; "
                        + "bring that VM up from a lab file on its own agent");
            }
        }
        try {
            GuestUser.forLab(lab.user());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("user", e.getMessage());
        }
        for (String port : lab.ports()) {
            if (control.config().port(port) != null) {
                throw new ConflictException("port '" + port + "' of lab " + lab.name() + " already exists on the switch");
            }
        }
        VmManager m = manager(new LabAttacher(lab));
        List<VmStatus> started;
        try {
            started = m.up(lab);
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        }
        running.add(lab.name());
        rememberFile(lab.name(), path);
        LOG.info("lab {} up: {} VMs on ports {}", lab.name(), lab.vms().size(), lab.ports());
        return started.stream().map(v -> view(m, v)).toList();
    }

    private static VmView view(VmManager m, VmStatus s) {
        return new VmView(s.lab(), s.vm(), s.pid(), s.state(), s.ports(), m.console(s.lab(), s.vm()).log().toString());
    }

    /** Stops a lab's guests and removes its ports and TAPs. */
    public synchronized void down(String lab) {
        if (lab == null || !lab.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new NotFoundException("no lab named '" + lab + "'");
        }
        if (!running.contains(lab) && manager(PortAttacher.NONE).list().stream().noneMatch(v -> v.lab().equals(lab))) {
            throw new NotFoundException("no lab named '" + lab + "' is up");
        }
        manager(new LabAttacher(null)).down(lab);
        running.remove(lab);
        LOG.info("lab {} down", lab);
    }

    /** Every VM of every lab that is up on this machine, with whether its QEMU still runs. */
    public List<VmView> vms() {
        VmManager m = manager(PortAttacher.NONE);
        return m.list().stream().map(v -> view(m, v)).toList();
    }

    /**
     * The lab file a lab that is up was brought up from (as {@link #up} recorded it), or empty when
     * the lab is not up here or the record is gone.
     */
    public java.util.Optional<Path> labFile(String lab) {
        if (lab == null || !lab.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            return java.util.Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(stateRoot.resolve(lab).resolve(LAB_FILE_MARKER), StandardCharsets.UTF_8);
            return lines.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(lines.get(0).strip()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Stops one VM on purpose ({@code vm stop}); see {@link VmManager#stopVm}. Its ports stay in the
     * switch, with no carrier behind them, until {@link #start} boots it again on them.
     */
    public synchronized VmView stop(String lab, String vm) {
        VmManager m = manager(PortAttacher.NONE);
        requireVm(m, lab, vm);
        m.stopVm(lab, vm, POWERDOWN_GRACE);
        LOG.info("lab {}: VM {} stopped", lab, vm);
        return view(m, requireVm(m, lab, vm));
    }

    /**
     * Boots a VM that is stopped (or crashed) again, on its TAPs and ports; NICs whose link is down
     * ({@link #link}) start with the guest seeing no carrier, as before.
     */
    public synchronized VmView start(String lab, String vm) {
        requireVm(manager(PortAttacher.NONE), lab, vm);
        LabFile file = recordedLab(lab);
        VmManager m = manager(new LabAttacher(file));
        VmStatus started;
        try {
            started = m.startVm(file, vm);
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        }
        List<String> ports = started.ports();
        for (int i = 0; i < ports.size(); i++) {
            var spec = control.config().port(ports.get(i));
            if (spec != null && !spec.enabled()) {
                try {
                    m.setGuestLink(lab, vm, i, false);
                } catch (IOException e) {
                    LOG.warn("lab {}: VM {} eth{} starts with carrier although its port is down: {}", lab, vm, i, e.getMessage());
                }
            }
        }
        LOG.info("lab {}: VM {} started (pid {})", lab, vm, started.pid());
        return view(m, started);
    }

    /** {@link #stop} then {@link #start}: a cold reboot of one guest, its ports kept. */
    public synchronized VmView restart(String lab, String vm) {
        stop(lab, vm);
        return start(lab, vm);
    }

    /** The outcome of {@link #link}: the switch port's state, and whether the guest was told too. */
    public record LinkView(String lab, String vm, String nic, String port, boolean up, boolean guestNotified) {
    }

    /**
     * Takes NIC {@code nic} (eth0, eth1, ... in lab file order) of a VM down or up: its switch port
     * through the control plane ({@link Change.SetAdmin}), and, when the guest runs, its carrier
     * through QMP, so the guest's kernel reports NO-CARRIER as it would for a pulled cable.
     */
    public synchronized LinkView link(String lab, String vm, String nic, Boolean up) {
        if (up == null) {
            throw new InvalidRequestException("up", "is required: true or false");
        }
        if (nic == null || !nic.matches("eth(0|[1-9][0-9]{0,2})")) {
            throw new InvalidRequestException("nic", "must be eth0, eth1, ... (the VM's NICs in lab file order), not '" + nic + "'");
        }
        VmManager m = manager(PortAttacher.NONE);
        VmStatus status = requireVm(m, lab, vm);
        int index = Integer.parseInt(nic.substring(3));
        if (index >= status.ports().size()) {
            throw new NotFoundException("VM " + vm + " of lab " + lab + " has " + status.ports().size()
                    + " NICs (eth0..eth" + (status.ports().size() - 1) + "), no " + nic);
        }
        String port = status.ports().get(index);
        control.submit(new Change.SetAdmin(port, up), null);
        boolean told = false;
        if (status.state() == VmStatus.State.RUNNING) {
            try {
                m.setGuestLink(lab, vm, index, up);
                told = true;
            } catch (IOException e) {
                LOG.warn("lab {}: port {} is {} but VM {} was not told (no carrier change in the guest): {}",
                        lab, port, up ? "up" : "down", vm, e.getMessage());
            }
        }
        LOG.info("lab {}: VM {} {} (port {}) link {}", lab, vm, nic, port, up ? "up" : "down");
        return new LinkView(lab, vm, nic, port, up, told);
    }

    private static VmStatus requireVm(VmManager m, String lab, String vm) {
        return m.list().stream().filter(v -> v.lab().equals(lab) && v.vm().equals(vm)).findFirst()
                .orElseThrow(() -> new NotFoundException("no VM '" + vm + "' in a lab named '" + lab + "' is up"));
    }

    /** The lab file {@link #up} recorded for {@code lab}, read again (its VMs' QEMU settings). */
    private LabFile recordedLab(String lab) {
        Path marker = stateRoot.resolve(lab).resolve(LAB_FILE_MARKER);
        try {
            return LabFile.load(Path.of(Files.readAllLines(marker, StandardCharsets.UTF_8).get(0).strip()));
        } catch (IOException | RuntimeException e) {
            throw new ConflictException("cannot read the lab file lab " + lab + " was brought up from: " + e.getMessage());
        }
    }

    private void rememberFile(String lab, Path file) {
        Path marker = stateRoot.resolve(lab).resolve(LAB_FILE_MARKER);
        Path tmp = marker.resolveSibling(LAB_FILE_MARKER + ".tmp");
        try {
            Files.writeString(tmp, file + "\n" + ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot record the lab file of {}; it will not be re-attached after a crash: {}", lab, e.getMessage());
        }
    }

    /**
     * Re-attaches the labs whose guests outlived a previous agent (killed rather than stopped): each
     * TAP of a running guest that still exists becomes a lab port again, with its lab's VLANs and
     * mirrors; nothing is created or restarted, and a VM stopped with {@link #stop} stays stopped with
     * its ports attached. Labs whose agent is still alive are left alone.
     * Returns the names of the labs taken over.
     */
    public synchronized List<String> resume() {
        List<String> resumed = new ArrayList<>();
        if (!Files.isDirectory(stateRoot)) {
            return resumed;
        }
        List<VmStatus> all = manager(PortAttacher.NONE).list();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(stateRoot, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path marker = dir.resolve(LAB_FILE_MARKER);
                String name = dir.getFileName().toString();
                // A VM stopped on purpose keeps its ports as if it ran: `vm start` boots it on them.
                List<VmStatus> alive = all.stream().filter(v -> v.lab().equals(name)
                        && (v.state() == VmStatus.State.RUNNING || v.state() == VmStatus.State.STOPPED)).toList();
                if (!Files.isRegularFile(marker) || alive.isEmpty() || running.contains(name)) {
                    continue;
                }
                try {
                    List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
                    long owner = lines.size() > 1 ? Long.parseLong(lines.get(1).strip()) : -1;
                    if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                        // Another agent that is still running serves this lab; attaching too would
                        // make two switches forward the same TAP.
                        continue;
                    }
                    LabFile lab = LabFile.load(Path.of(lines.get(0).strip()));
                    LabAttacher attacher = new LabAttacher(lab);
                    for (VmStatus vm : alive) {
                        for (String port : vm.ports()) {
                            if (control.config().port(port) == null && NetDevice.exists(port)) {
                                attacher.attach(port);
                            }
                        }
                    }
                    running.add(name);
                    resumed.add(name);
                    rememberFile(name, Path.of(lines.get(0).strip()));
                    LOG.info("lab {}: re-attached the TAPs of {} running or stopped VMs", name, alive.size());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot re-attach lab {}: {}", name, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot look for labs to re-attach in {}: {}", stateRoot, e.getMessage());
        }
        return resumed;
    }

    /** Brings down the labs this agent brought up. */
    @Override
    public synchronized void close() {
        for (String lab : List.copyOf(running)) {
            try {
                down(lab);
            } catch (RuntimeException e) {
                LOG.warn("cannot bring lab {} down: {}", lab, e.getMessage());
            }
        }
    }

    /** Attaches a lab's NICs as lab ports with the VLAN each asks for, and its mirrors once their ports exist. */
    private final class LabAttacher implements PortAttacher {
        private final LabFile lab;

        LabAttacher(LabFile lab) {
            this.lab = lab;
        }

        @Override
        public void attach(String ifname) {
            LabFile.Nic nic = lab.vms().stream().flatMap(v -> v.nics().stream())
                    .filter(n -> n.port().equals(ifname)).findFirst().orElseThrow();
            control.submit(new Change.AddPort(LabWiring.portOf(nic), "lab " + lab.name()), null);
            for (LabFile.Mirror m : lab.mirrors()) {
                List<String> needed = new ArrayList<>(m.sources());
                needed.add(m.output());
                boolean ready = needed.stream().allMatch(p -> control.config().port(p) != null);
                boolean exists = control.config().mirrors().stream().anyMatch(x -> x.name().equals(m.name()));
                if (ready && !exists) {
                    control.submit(new Change.AddMirror(LabWiring.mirrorOf(m)), null);
                }
            }
        }

        @Override
        public void detach(String ifname) {
            for (MirrorSpec m : control.config().mirrors()) {
                if (m.portNames().contains(ifname)) {
                    control.submit(new Change.RemoveMirror(m.name()), null);
                }
            }
            if (control.config().port(ifname) != null) {
                control.submit(new Change.RemovePort(ifname), null);
            }
        }
    }
}
