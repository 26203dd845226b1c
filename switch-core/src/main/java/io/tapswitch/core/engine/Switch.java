package io.tapswitch.core.engine;

import io.tapswitch.core.capture.Capture;
import io.tapswitch.core.capture.CaptureSpec;
import io.tapswitch.core.capture.CaptureTaps;
import io.tapswitch.core.fdb.Clock;
import io.tapswitch.core.fdb.CoarseClock;
import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.sys.NativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A learning Ethernet switch: ports, the MAC table, and the threads that move frames between them.
 *
 * <p>A fixed number of event-loop threads ({@link EventLoop}, {@link SwitchOptions#threads()}, one
 * by default) read every port that has a descriptor to wait on, however many ports there are: each
 * port is given to the least-loaded loop when it is added. A frame is read into its loop's buffer,
 * decided by {@link Forwarding}, and written to the egress devices straight from the same buffer by
 * {@link FramePath}. Loops are started as ports need them, so a switch driven by hand (passive
 * ports, benchmarks) has none.
 *
 * <p>This class is the control side around that path: ports, mirrors, captures and traces.
 * Control-plane calls (add, remove, reconfigure) are serialized by this object's monitor, build a new
 * {@link Topology} (and for a loop gaining or losing a port, a new port array) and publish it with
 * one volatile write; loops pick it up on their next frame or pass and never wait for the control
 * side. Before a removed port's descriptor is closed, the switch moves to a new generation and waits
 * until every loop has started a pass under it, so that no loop still reads, polls or sends through
 * that descriptor. One housekeeping thread ages the MAC table once a second; the loops tick its
 * coarse clock in every pass that found frames, so no thread wakes up just for the clock.
 */
public final class Switch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Switch.class);

    private final SwitchOptions options;
    private final MacTable fdb;
    private final Forwarding forwarding;
    private final FramePath path;
    private final PortListener portListener;
    private final ScheduledExecutorService housekeeping;
    private final CoarseClock coarse;
    /** The loops started so far, at most {@link SwitchOptions#threads()}; guarded by this object. */
    private final List<EventLoop> loops = new ArrayList<>();
    /** By port id, the loop that reads the port; guarded by this object. */
    private final Map<Integer, EventLoop> loopOf = new HashMap<>();
    /** Bumped before a port's descriptor is closed; loops acknowledge it at the start of each pass. */
    private volatile long generation;
    private final VlanStats vlanStats = new VlanStats();
    private volatile CaptureTaps taps = CaptureTaps.NONE;
    /**
     * Guards changes of {@link #taps} only. A capture's writer thread detaches the capture when it
     * ends; it must not need the switch's monitor, which a caller ending captures holds while it
     * waits for them to finish.
     */
    private final Object tapsLock = new Object();
    private volatile Topology topology = Topology.EMPTY;
    private volatile boolean closed;

    public Switch(SwitchOptions options, FdbListener fdbListener, PortListener portListener) {
        this.options = options;
        this.coarse = options.clock() == Clock.SYSTEM ? new CoarseClock() : null;
        this.fdb = new MacTable(options.macTableSize(), options.agingMillis(), coarse != null ? coarse : options.clock(),
                fdbListener);
        this.forwarding = new Forwarding(fdb);
        this.path = new FramePath(forwarding, vlanStats);
        this.portListener = portListener == null ? PortListener.NONE : portListener;
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tapswitch-aging");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(this::age, 1, 1, TimeUnit.SECONDS);
    }

    public Switch(SwitchOptions options) {
        this(options, FdbListener.NONE, PortListener.NONE);
    }

    private void age() {
        try {
            tick();
            fdb.expire();
        } catch (RuntimeException e) {
            LOG.error("MAC aging failed", e);
        }
    }

    public SwitchOptions options() {
        return options;
    }

    public MacTable fdb() {
        return fdb;
    }

    public Topology topology() {
        return topology;
    }

    public VlanStats vlanStats() {
        return vlanStats;
    }

    /**
     * Adds a mirror. Its output port, if any, leaves normal forwarding at once and forgets what it
     * learned. Throws if the name is taken, a named port does not exist, or the output port is
     * already another mirror's output.
     */
    public synchronized void addMirror(MirrorConfig config) {
        if (mirrors().stream().anyMatch(m -> m.name().equals(config.name()))) {
            throw new IllegalArgumentException("mirror '" + config.name() + "' already exists");
        }
        checkPorts(config);
        java.util.List<MirrorConfig> next = new ArrayList<>(mirrors());
        next.add(config);
        if (next.size() > 64) {
            throw new IllegalStateException("at most 64 mirrors");
        }
        topology = topology.withMirrors(next);
        if (config.outputPort() != null) {
            fdb.flushPort(topology.idOf(config.outputPort()));
        }
    }

    private void checkPorts(MirrorConfig config) {
        java.util.Set<String> named = new java.util.LinkedHashSet<>(config.srcPorts());
        named.addAll(config.dstPorts());
        if (config.outputPort() != null) {
            named.add(config.outputPort());
            if (topology.isMirrorOutput(topology.idOf(config.outputPort()))) {
                throw new IllegalArgumentException("outputPort: '" + config.outputPort() + "' is already a mirror output");
            }
        }
        for (String name : named) {
            if (topology.idOf(name) < 0) {
                throw new IllegalArgumentException("no port named '" + name + "'");
            }
        }
    }

    /**
     * Starts capturing a port (both directions, as on its wire) or a mirror's copies to a pcap
     * stream. The capture detaches itself when it ends; closing it ends it early.
     *
     * @throws IllegalArgumentException when no port or mirror has that name
     */
    public synchronized Capture startCapture(CaptureSpec spec, OutputStream out) throws IOException {
        return startCapture(spec, out, c -> { });
    }

    /**
     * Starts a capture like {@link #startCapture(CaptureSpec, OutputStream)} and calls
     * {@code whenEnded} on the capture's writer thread once it has ended (limit reached, closed,
     * target removed or output failed) and left the frame path, so that a caller streaming it
     * somewhere can finish without polling.
     */
    public synchronized Capture startCapture(CaptureSpec spec, OutputStream out, java.util.function.Consumer<Capture> whenEnded)
            throws IOException {
        String target = spec.target();
        int port = topology.idOf(target);
        boolean mirror = mirrors().stream().anyMatch(m -> m.name().equals(target));
        if (port < 0 && !mirror) {
            throw new IllegalArgumentException("target: no port or mirror named '" + target + "'");
        }
        Capture capture = Capture.prepare(spec, out, c -> {
            captureEnded(c);
            whenEnded.accept(c);
        });
        synchronized (tapsLock) {
            taps = port >= 0 ? taps.withPort(port, capture) : taps.withMirror(target, capture);
        }
        try {
            capture.begin();
        } catch (IOException | RuntimeException e) {
            captureEnded(capture);
            throw e;
        }
        return capture;
    }

    private void captureEnded(Capture capture) {
        synchronized (tapsLock) {
            taps = taps.without(capture);
        }
    }

    /** Captures running now. */
    public java.util.List<Capture> captures() {
        return taps.all();
    }

    /** Removes a mirror; returns false when there is none of that name. */
    public synchronized boolean removeMirror(String name) {
        java.util.List<MirrorConfig> next = new ArrayList<>(mirrors());
        if (!next.removeIf(m -> m.name().equals(name))) {
            return false;
        }
        topology = topology.withMirrors(next);
        endCaptures(taps.onMirror(name));
        return true;
    }

    /**
     * Ends captures whose target went away: they would otherwise run to their limit silently, and a
     * capture of a removed port would pick up whatever port is added next under the same id.
     */
    private void endCaptures(java.util.List<Capture> ending) {
        for (Capture c : ending) {
            captureEnded(c);
            c.close();
        }
    }

    public java.util.List<MirrorConfig> mirrors() {
        return topology.mirrorConfigs();
    }

    /** Counters of a mirror, or null when there is none of that name. */
    public MirrorStats mirrorStats(String name) {
        Mirror.Counters c = topology.mirrorCounters(name);
        return c == null ? null : new MirrorStats(name, c.copiedCount(), c.failedCount());
    }

    /**
     * Attaches a device as a new port and hands it to the least-loaded event loop (starting one if
     * fewer than {@link SwitchOptions#threads()} run and each has ports already). A device with no
     * descriptor to poll (a VTEP port, whose frames its tunnel endpoint reads) is only an egress.
     * The switch owns the device from now on and closes it when the port is removed. If starting
     * fails, the device is closed.
     */
    public synchronized SwitchPort addPort(Port device, PortConfig config) throws NativeException {
        if (closed) {
            device.close();
            throw new IllegalStateException("switch is closed");
        }
        if (topology.idOf(device.name()) >= 0) {
            device.close();
            throw new IllegalArgumentException("port '" + device.name() + "' already exists");
        }
        int id = topology.freeId();
        if (id >= MacTable.MAX_PORTS) {
            device.close();
            throw new IllegalStateException("too many ports (" + MacTable.MAX_PORTS + ")");
        }
        SwitchPort port = new SwitchPort(id, device);
        EventLoop loop = null;
        if (device.pollFd() >= 0) {
            try {
                loop = leastLoadedLoop();
            } catch (NativeException | RuntimeException e) {
                device.close();
                throw e;
            }
        }
        topology = topology.with(port, config);
        if (loop != null) {
            loopOf.put(id, loop);
            loop.assign(withPort(loop.assigned(), port));
            loop.wake();
        }
        LOG.info("port {} added as #{} ({})", device.name(), id, device.kind());
        portListener.portAdded(device.name());
        return port;
    }

    /**
     * The loop that should take the next port: a new one while fewer than the configured number run
     * and every running one has ports, else the one with the fewest ports.
     */
    private EventLoop leastLoadedLoop() throws NativeException {
        EventLoop best = null;
        for (EventLoop loop : loops) {
            if (best == null || loop.assigned().length < best.assigned().length) {
                best = loop;
            }
        }
        if (loops.size() < options.threads() && (best == null || best.assigned().length > 0)) {
            best = new EventLoop(this, loops.size(), options.spinMicros());
            loops.add(best);
            best.start();
        }
        return best;
    }

    private static SwitchPort[] withPort(SwitchPort[] ports, SwitchPort port) {
        SwitchPort[] next = java.util.Arrays.copyOf(ports, ports.length + 1);
        next[ports.length] = port;
        return next;
    }

    private static SwitchPort[] withoutPort(SwitchPort[] ports, SwitchPort port) {
        return java.util.Arrays.stream(ports).filter(p -> p != port).toArray(SwitchPort[]::new);
    }

    /**
     * Moves to a new generation and waits (up to two seconds) until every loop has started a pass
     * under it: from then on no loop uses a topology or port array published before this call.
     */
    private void quiesce() {
        long next = generation + 1;
        generation = next;
        for (EventLoop loop : loops) {
            if (loop.thread() != Thread.currentThread()) {
                loop.wake();
            }
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (EventLoop loop : loops) {
            if (loop.thread() == Thread.currentThread()) {
                continue;
            }
            while (loop.acknowledged() < next && loop.isAlive()) {
                if (System.nanoTime() - deadline > 0) {
                    LOG.warn("event loop {} did not acknowledge generation {} in 2 s", loop.index(), next);
                    break;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
        }
    }

    /** The generation loops acknowledge ({@link #quiesce()}). */
    long generation() {
        return generation;
    }

    /** Reads the system clock into the MAC table's coarse clock; called by loops in every pass that found frames. */
    void tick() {
        if (coarse != null) {
            coarse.tick();
        }
    }

    /** Adds a port for tests and tools that drive frames themselves: no loop reads it. */
    public synchronized SwitchPort addPassivePort(Port device, PortConfig config) {
        int id = topology.freeId();
        SwitchPort port = new SwitchPort(id, device);
        topology = topology.with(port, config);
        portListener.portAdded(device.name());
        return port;
    }

    /** Detaches and closes a port; its MAC entries are forgotten. Returns false when unknown. */
    public synchronized boolean removePort(String name) {
        int id = topology.idOf(name);
        if (id < 0) {
            return false;
        }
        SwitchPort port = topology.port(id);
        java.util.List<MirrorConfig> kept = mirrors().stream().filter(m -> !name.equals(m.outputPort())).toList();
        topology = topology.without(id).withMirrors(kept);
        EventLoop loop = loopOf.remove(id);
        if (loop != null) {
            loop.assign(withoutPort(loop.assigned(), port));
        }
        // Every loop may still be sending to the port, and its own loop polling it: close only after
        // all of them have moved on.
        quiesce();
        port.device().close();
        endCaptures(taps.onPort(id));
        // Static entries go too: the id may be given to the next port added.
        fdb.flush(id, -1, true);
        LOG.info("port {} removed", name);
        portListener.portRemoved(name);
        return true;
    }

    /** Replaces a port's configuration; returns false when the port is unknown. */
    public synchronized boolean configurePort(String name, java.util.function.UnaryOperator<PortConfig> change) {
        int id = topology.idOf(name);
        if (id < 0) {
            return false;
        }
        PortConfig before = topology.config(id);
        PortConfig after = change.apply(before);
        topology = topology.withConfig(id, after);
        // A new impairment changes how frames travel, not where: the MAC entries stay right.
        if (!after.withImpair(before.impair()).equals(before)) {
            fdb.flushPort(id);
        }
        return true;
    }

    void operStateChanged(SwitchPort port, boolean up) {
        port.setOperUp(up);
        if (!up) {
            fdb.flushPort(port.id());
        }
        portListener.portStateChanged(port.name(), up);
    }

    /**
     * Decides and sends one frame received on {@code frame.inPort} ({@link FramePath}). Called by the
     * event loop that read it; allocation-free and lock-free unless a new MAC is learned.
     */
    public Reason process(Frame frame) {
        return path.process(topology, taps, frame, null);
    }

    /**
     * As {@link #process(Frame)}, for an event loop that sends in bursts: sends to ports that batch
     * may be queued in {@code batches} (the frame is then {@link Frame#held}) until the loop flushes.
     */
    Reason process(Frame frame, EgressBatches batches) {
        return path.process(topology, taps, frame, batches);
    }

    /**
     * As {@link #process(Frame, EgressBatches)}, for an event loop that applies link impairments
     * ({@link Impairments}); {@code released}: the frame is one the ingress impairment held back.
     */
    Reason process(Frame frame, EgressBatches batches, Impairments impair, boolean released) {
        return path.process(topology, taps, frame, batches, impair, released);
    }

    /** Sends a copy an egress impairment held back through {@code out}, on the current topology. */
    void sendReleased(SwitchPort out, Frame frame, EgressBatches batches) {
        path.sendReleased(topology, out, frame, batches);
    }

    /**
     * Where a frame received on {@code frame.inPort} would go and why, decided by the same code as
     * real traffic on the current topology, without learning or sending anything.
     */
    public TraceResult trace(Frame frame) {
        Topology t = topology;
        Trace trace = new Trace();
        Reason verdict = forwarding.decide(t, frame, false, trace);
        List<String> egress = new ArrayList<>(frame.egressCount);
        for (int i = 0; i < frame.egressCount; i++) {
            egress.add(t.port(frame.egress[i]).name());
        }
        return new TraceResult(verdict, frame.vlan, egress, trace.steps());
    }

    /** The forwarding threads (one per event loop started), for leak checks and thread counts. */
    public synchronized List<Thread> threads() {
        List<Thread> out = new ArrayList<>();
        for (EventLoop loop : loops) {
            out.add(loop.thread());
        }
        return out;
    }

    /** The thread of the event loop that reads port {@code name}, or null when no loop reads it. */
    public synchronized Thread threadOf(String name) {
        EventLoop loop = loopOf.get(topology.idOf(name));
        return loop == null ? null : loop.thread();
    }

    /** Stops every thread and closes every port. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Capture c : taps.all()) {
            c.close();
        }
        for (SwitchPort port : topology.ports()) {
            removePort(port.name());
        }
        for (EventLoop loop : loops) {
            loop.close();
        }
        housekeeping.shutdownNow();
        try {
            housekeeping.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("switch {} stopped", options.name());
    }
}
