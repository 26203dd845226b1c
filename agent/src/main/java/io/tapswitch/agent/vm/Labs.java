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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
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

    /**
     * One VM as the API shows it.
     *
     * @param host the host it runs on: this agent's name in the fabric, or its {@code name} without one
     */
    public record VmView(String lab, String name, long pid, VmStatus.State state, List<String> ports, String consoleLog,
                         String host) {
    }

    /** Names, in a lab's state directory, the other hosts that run VMs of the lab and which. */
    static final String HOSTS_MARKER = "remote-hosts";

    private final ControlPlane control;
    private final Path stateRoot;
    private final String qemuBinary;
    private final Set<String> running = new LinkedHashSet<>();
    private volatile RemoteLabs remote;

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
        String yaml;
        try {
            yaml = Files.readString(path);
        } catch (IOException e) {
            throw new InvalidRequestException("file", "cannot read " + file + ": " + e.getMessage());
        }
        RemoteLabs peers = remote;
        Set<String> self = new java.util.HashSet<>();
        self.add(control.config().name());
        if (peers != null) {
            self.add(peers.self());
        }
        LabHosts plan = LabHosts.of(lab, self, peers == null ? Set.of() : peers.hosts(), control.config().vxlan());
        if (plan.remote().isEmpty()) {
            return upHere(lab, path);
        }
        LabFile mine = LabHosts.share(lab, plan.local());
        List<VmView> views = new ArrayList<>(mine.vms().isEmpty() ? List.of() : upHere(mine, path));
        if (mine.vms().isEmpty()) {
            running.add(lab.name());
            rememberFile(lab.name(), path);
        }
        Map<String, List<String>> started = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> share : plan.remote().entrySet()) {
            String host = share.getKey();
            try {
                views.addAll(peers.up(host, yaml, path.toString(), share.getValue(), peers.self()));
                started.put(host, share.getValue());
                rememberHosts(lab.name(), started);
            } catch (RuntimeException e) {
                for (String up : started.keySet()) {
                    try {
                        peers.down(up, lab.name());
                    } catch (RuntimeException again) {
                        LOG.warn("lab {}: cannot bring its VMs on host {} down again: {}", lab.name(), up, again.getMessage());
                    }
                }
                manager(new LabAttacher(null)).down(lab.name());
                running.remove(lab.name());
                forgetHosts(lab.name());
                throw new ConflictException("lab " + lab.name() + " is not up: host '" + host + "' did not start VMs "
                        + share.getValue() + " (" + e.getMessage() + "); what had started is down again");
            }
        }
        LOG.info("lab {} up across hosts: {} here, {} elsewhere", lab.name(), plan.local(), plan.remote());
        return views;
    }

    /**
     * Brings up the share of a lab another agent of the fabric asked this one to run (see
     * {@link RemoteLabs#up}): the VMs {@code vms} of the lab in {@code yaml}, whose relative paths are
     * resolved against the directory of {@code file} on this host.
     */
    public synchronized List<VmView> upShare(String yaml, String file, List<String> vms, String origin) {
        if (yaml == null || file == null || !Path.of(file).isAbsolute()) {
            throw new InvalidRequestException("lab", "needs the lab file's text and its absolute path");
        }
        LabFile lab;
        try {
            lab = LabFile.parse(yaml, Path.of(file).getParent(), file + " (from host " + origin + ")");
        } catch (InvalidLabException e) {
            throw new InvalidRequestException("lab", String.join("; ", e.problems()));
        }
        if (vms == null || vms.isEmpty() || !lab.vms().stream().map(LabFile.Vm::name).toList().containsAll(vms)) {
            throw new InvalidRequestException("vms", "must name VMs of lab " + lab.name() + ", not " + vms);
        }
        LOG.info("lab {}: starting VMs {} for host {}", lab.name(), vms, origin);
        return upHere(LabHosts.share(lab, vms), Path.of(file));
    }

    /** Starts the VMs of {@code lab} here, as {@link #up} always did for a lab on one host. */
    private List<VmView> upHere(LabFile lab, Path path) {
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

    /**
     * Lets labs name VMs on other hosts of the fabric; {@code peers} null (the default) keeps every VM here.
     * Set once, when the agent joins its fabric.
     */
    public void remote(RemoteLabs peers) {
        this.remote = peers;
    }

    private VmView view(VmManager m, VmStatus s) {
        return new VmView(s.lab(), s.vm(), s.pid(), s.state(), s.ports(), m.console(s.lab(), s.vm()).log().toString(),
                hostName());
    }

    /**
     * Stops a lab's guests and removes its ports and TAPs, here and on the other hosts that run VMs of it.
     * A host that does not answer does not stop the rest: its name is returned, and its VMs are left to it.
     *
     * @return the hosts that could not be told to bring their VMs of the lab down
     */
    public synchronized List<String> down(String lab) {
        if (lab == null || !lab.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new NotFoundException("no lab named '" + lab + "'");
        }
        Map<String, List<String>> hosts = recordedHosts(lab);
        if (hosts.isEmpty() && !running.contains(lab)
                && manager(PortAttacher.NONE).list().stream().noneMatch(v -> v.lab().equals(lab))) {
            throw new NotFoundException("no lab named '" + lab + "' is up");
        }
        List<String> unreachable = new ArrayList<>();
        RemoteLabs peers = remote;
        for (String host : hosts.keySet()) {
            try {
                if (peers == null) {
                    throw new RemoteLabs.Unreachable(host, "this agent is not in a fabric now");
                }
                peers.down(host, lab);
            } catch (RuntimeException e) {
                LOG.warn("lab {}: its VMs {} on host {} may still run: {}", lab, hosts.get(host), host, e.getMessage());
                unreachable.add(host);
            }
        }
        manager(new LabAttacher(null)).down(lab);
        forgetHosts(lab);
        running.remove(lab);
        LOG.info("lab {} down{}", lab, unreachable.isEmpty() ? "" : " here; unreachable: " + unreachable);
        return unreachable;
    }

    /**
     * Every VM of every lab that is up on this machine, with whether its QEMU still runs, and the VMs
     * other hosts run for the labs brought up here ({@link VmStatus.State#UNREACHABLE} when a host does
     * not answer).
     */
    public List<VmView> vms() {
        List<VmView> out = new ArrayList<>(localVms());
        RemoteLabs peers = remote;
        Map<String, List<VmView>> asked = new java.util.HashMap<>();
        for (String lab : labsWithHosts()) {
            recordedHosts(lab).forEach((host, names) -> {
                List<VmView> theirs;
                try {
                    if (peers == null) {
                        throw new RemoteLabs.Unreachable(host, "this agent is not in a fabric now");
                    }
                    theirs = asked.computeIfAbsent(host, peers::vms);
                } catch (RuntimeException e) {
                    theirs = null;
                }
                for (String vm : names) {
                    VmView v = theirs == null ? null : theirs.stream()
                            .filter(x -> x.lab().equals(lab) && x.name().equals(vm)).findFirst().orElse(null);
                    out.add(v != null ? v : new VmView(lab, vm, -1,
                            theirs == null ? VmStatus.State.UNREACHABLE : VmStatus.State.EXITED, List.of(), null, host));
                }
            });
        }
        return out;
    }

    /** The VMs this machine runs, without asking other hosts: what another host's {@link #vms} sees of it. */
    public List<VmView> localVms() {
        VmManager m = manager(PortAttacher.NONE);
        return m.list().stream().map(v -> view(m, v)).toList();
    }

    private String hostName() {
        RemoteLabs peers = remote;
        return peers != null ? peers.self() : control.config().name();
    }

    private List<String> labsWithHosts() {
        List<String> labs = new ArrayList<>();
        if (!Files.isDirectory(stateRoot)) {
            return labs;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(stateRoot, d -> Files.isRegularFile(d.resolve(HOSTS_MARKER)))) {
            dirs.forEach(d -> labs.add(d.getFileName().toString()));
        } catch (IOException e) {
            LOG.warn("cannot list the labs across hosts in {}: {}", stateRoot, e.getMessage());
        }
        java.util.Collections.sort(labs);
        return labs;
    }

    /** The other hosts that run VMs of {@code lab}, as {@link #up} recorded them: lines of "host vm1,vm2". */
    private Map<String, List<String>> recordedHosts(String lab) {
        Map<String, List<String>> hosts = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(stateRoot.resolve(lab).resolve(HOSTS_MARKER), StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split(" ", 2);
                if (parts.length == 2) {
                    hosts.put(parts[0], List.of(parts[1].split(",")));
                }
            }
        } catch (IOException e) {
            // no marker: every VM of the lab runs here
        }
        return hosts;
    }

    private void rememberHosts(String lab, Map<String, List<String>> hosts) {
        StringBuilder text = new StringBuilder();
        hosts.forEach((h, vms) -> text.append(h).append(' ').append(String.join(",", vms)).append('\n'));
        Path marker = stateRoot.resolve(lab).resolve(HOSTS_MARKER);
        try {
            Files.createDirectories(marker.getParent());
            Files.writeString(marker, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("cannot record the hosts of lab {}; vm down will not reach them: {}", lab, e.getMessage());
        }
    }

    private void forgetHosts(String lab) {
        try {
            Files.deleteIfExists(stateRoot.resolve(lab).resolve(HOSTS_MARKER));
        } catch (IOException e) {
            LOG.warn("cannot remove the host record of lab {}: {}", lab, e.getMessage());
        }
    }

    /**
     * The lab file a lab that is up was brought up from (as {@link #up} recorded it), or empty when
     * the lab is not up here or the record is gone.
     */
    public Optional<Path> labFile(String lab) {
        if (lab == null || !lab.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            return Optional.empty();
        }
        try {
            return Optional.of(LabRecord.read(stateRoot.resolve(lab).resolve(LAB_FILE_MARKER)).file());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * What {@link #rememberFile} keeps in a lab's {@link #LAB_FILE_MARKER}: the lab file, and on the
     * second line the pid of the agent that brought the lab up, which {@link #resume} needs to tell
     * a lab whose agent died from one another agent still serves.
     */
    private record LabRecord(Path file, String ownerPid) {
        /** Reads the record; an empty one counts as unreadable, because it names no lab file. */
        static LabRecord read(Path marker) throws IOException {
            List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                throw new IOException("the record " + marker + " is empty");
            }
            return new LabRecord(Path.of(lines.get(0).strip()), lines.size() > 1 ? lines.get(1).strip() : null);
        }

        /** Whether the agent that brought the lab up is still running; false when the record names none. */
        boolean ownerAlive() {
            long owner = ownerPid == null ? -1 : Long.parseLong(ownerPid);
            return ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false);
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
        Path file = labFile(lab).orElseThrow(() -> new ConflictException(
                "cannot read the lab file lab " + lab + " was brought up from: its record in the state directory is gone"));
        try {
            return LabFile.load(file);
        } catch (RuntimeException e) {
            throw new ConflictException("cannot read the lab file lab " + lab + " was brought up from: " + e.getMessage());
        }
    }

    private void rememberFile(String lab, Path file) {
        Path marker = stateRoot.resolve(lab).resolve(LAB_FILE_MARKER);
        Path tmp = marker.resolveSibling(LAB_FILE_MARKER + ".tmp");
        try {
            Files.createDirectories(marker.getParent());
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
                    LabRecord record = LabRecord.read(marker);
                    if (record.ownerAlive()) {
                        // Another agent that is still running serves this lab; attaching too would
                        // make two switches forward the same TAP.
                        continue;
                    }
                    LabFile lab = LabFile.load(record.file());
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
                    rememberFile(name, record.file());
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
