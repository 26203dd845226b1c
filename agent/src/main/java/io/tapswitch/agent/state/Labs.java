package io.tapswitch.agent.state;

import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.vm.AccelProbe;
import io.tapswitch.agent.vm.InvalidLabException;
import io.tapswitch.agent.vm.LabFile;
import io.tapswitch.agent.vm.PortAttacher;
import io.tapswitch.agent.vm.QemuCommand;
import io.tapswitch.agent.vm.SwitchAttacher;
import io.tapswitch.agent.vm.TapDevices;
import io.tapswitch.agent.vm.VmManager;
import io.tapswitch.agent.vm.VmStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The VM labs this agent runs: a lab file brought up has each of its NICs attached as a lab port
 * (see {@link ControlPlane#addLabPort}) through the same control plane as API changes, so the
 * console, the events and the CLI see VM ports exactly like the others.
 *
 * <p>Labs end with the agent: a guest whose NIC no switch serves is of no use, and leaving QEMU
 * running would leave TAPs behind that the next {@code vm up} refuses to reuse.
 */
public final class Labs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Labs.class);

    /** One VM as the API shows it. */
    public record VmView(String lab, String name, long pid, VmStatus.State state, List<String> ports, String consoleLog) {
    }

    private final ControlPlane control;
    private final Path stateRoot;
    private final String qemuBinary;
    private final Set<String> running = new LinkedHashSet<>();

    public Labs(ControlPlane control) {
        this(control, VmManager.DEFAULT_STATE_ROOT, QemuCommand.DEFAULT_BINARY);
    }

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
        for (String port : lab.ports()) {
            if (control.config().port(port) != null) {
                throw new ConflictException("port '" + port + "' of lab " + lab.name() + " already exists on the switch");
            }
        }
        try {
            manager(new LabAttacher(lab)).up(lab);
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        }
        running.add(lab.name());
        LOG.info("lab {} up: {} VMs on ports {}", lab.name(), lab.vms().size(), lab.ports());
        return vms().stream().filter(v -> v.lab().equals(lab.name())).toList();
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
        List<VmView> out = new ArrayList<>();
        for (VmStatus s : m.list()) {
            out.add(new VmView(s.lab(), s.vm(), s.pid(), s.state(), s.ports(),
                    m.console(s.lab(), s.vm()).log().toString()));
        }
        return out;
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
            control.addLabPort(lab.name(), new PortSpec(ifname, PortSpec.PortKindSpec.NETDEV, PortSpec.CreateMode.ATTACH,
                    false, true, VlanSpec.of(SwitchAttacher.vlanOf(nic))));
            for (LabFile.Mirror m : lab.mirrors()) {
                List<String> needed = new ArrayList<>(m.sources());
                needed.add(m.output());
                boolean ready = needed.stream().allMatch(p -> control.config().port(p) != null);
                boolean exists = control.config().mirrors().stream().anyMatch(x -> x.name().equals(m.name()));
                if (ready && !exists) {
                    control.addMirror(MirrorSpec.of(SwitchAttacher.mirrorOf(m)), null);
                }
            }
        }

        @Override
        public void detach(String ifname) {
            for (MirrorSpec m : control.config().mirrors()) {
                if (m.portNames().contains(ifname)) {
                    control.removeMirror(m.name(), null);
                }
            }
            if (control.config().port(ifname) != null) {
                control.removePort(ifname, null);
            }
        }
    }
}
