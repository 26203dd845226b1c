package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.core.capture.Capture;
import io.tapswitch.core.capture.CaptureSpec;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.tunnel.ProbeStats;
import io.tapswitch.core.tunnel.VtepPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The one door to the running switch: every change of its configuration, every capture and every
 * flush of its MAC table goes through here, whoever asks (the API, the CLI, VM labs, the demo, the
 * tests). Everyone else reads the switch through the {@link SwitchView}.
 *
 * <p><b>Serialized.</b> {@link #submit} holds this object's monitor from checking a change to
 * persisting it, so concurrent requests apply one after the other and each is checked against the
 * state the previous one left. Callers run it on worker threads: changes open devices and fsync
 * files. The forwarding threads never wait for it: the switch publishes each change as a new
 * immutable snapshot.
 *
 * <p><b>All or nothing.</b> A change is checked completely before anything is touched
 * ({@link Change#plan}), so bad input never changes state. It is then applied live and persisted;
 * if persisting fails, the live change is undone, so the running switch and the file never
 * disagree for long. A change that leaves the persisted part as it was (a lab's or the fabric's
 * ports) does not rewrite the file.
 *
 * <p><b>Revisions.</b> The revision starts at 1 when the agent starts and grows by one per committed
 * change. A caller may pass the revision it last saw; if another change came in between, the call
 * fails with a conflict rather than overwrite a decision it never saw. The result of a change
 * carries the revision it produced ({@link Committed}).
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

    private final Switch sw;
    private final SwitchView view;
    private final ConfigFile file;
    private final DeviceOpener opener;
    private final Consumer<ConfigChange> changes;
    private volatile Revision current;
    private final TunnelControl tunnelControl = new SwitchTunnels();

    /**
     * Takes over a running switch built from {@code config} (see {@link SwitchBootstrap}).
     *
     * @param file    where changes are persisted; null for a switch whose changes are not kept
     * @param changes told about every committed change, after it is persisted
     */
    ControlPlane(Switch sw, AgentConfig config, TransientPorts transients, ConfigFile file, DeviceOpener opener,
                 Consumer<ConfigChange> changes) {
        this.sw = sw;
        this.view = new SwitchView(sw);
        this.file = file;
        this.opener = opener;
        this.changes = changes == null ? c -> { } : changes;
        this.current = new Revision(1, config, transients);
    }

    /** The running switch, read-only. */
    public SwitchView view() {
        return view;
    }

    /** The configuration in force with its revision number, read together. */
    public Revision current() {
        return current;
    }

    /** The configuration as last committed, lab ports included. */
    public AgentConfig config() {
        return current.config();
    }

    public long revision() {
        return current.number();
    }

    /** Where changes are persisted, or null. */
    public ConfigFile file() {
        return file;
    }

    /** Who a port belongs to (a VM lab, the fabric), or null for a port of the configuration file. */
    public String ownerOf(String port) {
        return current.transientPorts().ownerOf(port);
    }

    /**
     * Makes a change: checks it, applies it to the running switch, persists the configuration it
     * leads to and bumps the revision; undoes it when the configuration cannot be persisted.
     *
     * @param ifMatch the revision the caller last saw, or null to change whatever the state
     * @throws InvalidRequestException when the change's fields are bad
     * @throws NotFoundException       when it names a port, mirror or entry that does not exist
     * @throws ConflictException       when it collides with the state, or {@code ifMatch} is stale
     * @throws UncheckedIOException    when the configuration file cannot be written (nothing changed)
     */
    public synchronized <T> Committed<T> submit(Change<T> change, Long ifMatch) {
        Revision before = current;
        if (ifMatch != null && ifMatch != before.number()) {
            throw new ConflictException("revision " + ifMatch + " is stale: the configuration is at revision "
                    + before.number());
        }
        Plan<T> plan = change.plan(new LiveState(before, sw, opener));
        plan.apply().run();
        Revision after = new Revision(before.number() + 1, plan.next(), plan.transientPorts());
        AgentConfig persisted = after.transientPorts().persistable(after.config());
        // A change of transient ports only (a lab's, the fabric's) leaves the file as it is.
        if (file != null && !persisted.equals(before.transientPorts().persistable(before.config()))) {
            try {
                file.write(persisted);
            } catch (IOException e) {
                LOG.error("cannot persist the configuration to {}; undoing '{}'", file.path(), plan.summary(), e);
                try {
                    plan.undo().run();
                } catch (RuntimeException undoFailure) {
                    LOG.error("undoing '{}' failed; the running switch differs from {}", plan.summary(), file.path(),
                            undoFailure);
                }
                throw new UncheckedIOException("cannot write " + file.path() + ": " + e.getMessage(), e);
            }
        }
        current = after;
        changes.accept(new ConfigChange(after.number(), plan.summary()));
        return new Committed<>(plan.result(), after);
    }

    /**
     * Forgets learned entries (static ones stay) of one port, one VLAN, both, or all. Not a
     * configuration change: nothing is persisted and the revision stays.
     *
     * @param port a port name, or null for every port
     * @param vlan a VLAN ID, or -1 for every VLAN
     * @return how many entries were removed
     */
    public synchronized int flush(String port, int vlan) {
        int id = -1;
        if (port != null) {
            requirePort(port);
            id = sw.topology().idOf(port);
        }
        return sw.fdb().flush(id, vlan, false);
    }

    /**
     * Starts capturing what a port carries, both directions, as on its wire. The capture ends by
     * itself at its limits; {@code whenEnded} is called once it has (see
     * {@link Switch#startCapture(CaptureSpec, OutputStream, Consumer)}).
     *
     * @throws NotFoundException when there is no such port
     */
    public Capture capturePort(CaptureSpec spec, OutputStream out, Consumer<Capture> whenEnded) throws IOException {
        requirePort(spec.target());
        return start(spec, out, whenEnded);
    }

    /**
     * Starts capturing the copies a mirror makes; otherwise as {@link #capturePort}.
     *
     * @throws NotFoundException when there is no such mirror
     * @throws ConflictException when a port has the same name (the switch would capture the port)
     */
    public Capture captureMirror(CaptureSpec spec, OutputStream out, Consumer<Capture> whenEnded) throws IOException {
        requireMirror(spec.target());
        if (sw.topology().idOf(spec.target()) >= 0) {
            throw new ConflictException("a port is also named '" + spec.target() + "'; capture that port instead");
        }
        return start(spec, out, whenEnded);
    }

    private Capture start(CaptureSpec spec, OutputStream out, Consumer<Capture> whenEnded) throws IOException {
        try {
            return sw.startCapture(spec, out, whenEnded);
        } catch (IllegalArgumentException e) {
            // the target went away between the check and the start
            throw new NotFoundException(e.getMessage());
        }
    }

    /**
     * The tunnel endpoint's health probes, for the fabric: sending one is an action on the datapath
     * like a capture, not a configuration change, so it goes through here without a revision.
     */
    public TunnelControl tunnel() {
        return tunnelControl;
    }

    /** The port named {@code name}. @throws NotFoundException when there is none */
    public PortSpec requirePort(String name) {
        return requirePort(config(), name);
    }

    /** The mirror named {@code name}. @throws NotFoundException when there is none */
    public MirrorSpec requireMirror(String name) {
        return requireMirror(config(), name);
    }

    static PortSpec requirePort(AgentConfig config, String name) {
        PortSpec spec = config.port(name);
        if (spec == null) {
            throw new NotFoundException("no port named '" + name + "'");
        }
        return spec;
    }

    static MirrorSpec requireMirror(AgentConfig config, String name) {
        return config.mirrors().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new NotFoundException("no mirror named '" + name + "'"));
    }

    /** Probes through the switch's tunnel ports; does nothing where a port is not a remote VTEP's. */
    private final class SwitchTunnels implements TunnelControl {
        @Override
        public void probe(String port, boolean fullSize, int seq) {
            VtepPort vtep = vtep(port);
            if (vtep != null) {
                vtep.endpoint().probe(vtep, fullSize, seq);
            }
        }

        @Override
        public ProbeTimes probeTimes(String port) {
            VtepPort vtep = vtep(port);
            if (vtep == null) {
                return ProbeTimes.NEVER;
            }
            ProbeStats s = vtep.probes();
            return new ProbeTimes(s.lastReplyNanos(), s.lastFullReplyNanos(), s.lastRttNanos());
        }

        private VtepPort vtep(String port) {
            Topology t = sw.topology();
            SwitchPort p = t.port(t.idOf(port));
            return p != null && p.device() instanceof VtepPort v ? v : null;
        }
    }

    /** Stops the switch: ports are closed and TAPs it created removed. */
    @Override
    public void close() {
        sw.close();
    }
}
