package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.sys.NativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Each port has a dedicated reading thread ({@link PortWorker}) that decides and sends on its
 * own: a frame is read into that thread's buffer, decided by {@link Forwarding}, and written to the
 * egress devices straight from the same buffer. Control-plane calls (add, remove, reconfigure) are
 * serialized by this object's monitor, build a new {@link Topology} and publish it; forwarding
 * threads pick it up on their next frame. One housekeeping thread ages the MAC table.
 */
public final class Switch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Switch.class);

    private final SwitchOptions options;
    private final MacTable fdb;
    private final Forwarding forwarding;
    private final PortListener portListener;
    private final ScheduledExecutorService housekeeping;
    private final Map<Integer, PortWorker> workers = new HashMap<>();
    private volatile Topology topology = Topology.EMPTY;
    private volatile boolean closed;

    public Switch(SwitchOptions options, FdbListener fdbListener, PortListener portListener) {
        this.options = options;
        this.fdb = new MacTable(options.macTableSize(), options.agingMillis(), options.clock(), fdbListener);
        this.forwarding = new Forwarding(fdb);
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

    /**
     * Attaches a device as a new port and starts its reading thread. The switch owns the device
     * from now on and closes it when the port is removed. If starting fails, the device is closed.
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
        PortWorker worker;
        try {
            worker = new PortWorker(this, port);
        } catch (NativeException | RuntimeException e) {
            device.close();
            throw e;
        }
        topology = topology.with(port, config);
        workers.put(id, worker);
        worker.start();
        LOG.info("port {} added as #{} ({})", device.name(), id, device.kind());
        portListener.portAdded(device.name());
        return port;
    }

    /** Adds a port for tests and tools that drive frames themselves: no reading thread is started. */
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
        topology = topology.without(id);
        PortWorker worker = workers.remove(id);
        if (worker != null) {
            worker.close();
        }
        port.device().close();
        fdb.flushPort(id);
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
        if (!after.equals(before)) {
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
     * Decides and sends one frame received on {@code frame.inPort}. Called by the port's reading
     * thread; allocation-free and lock-free unless a new MAC is learned.
     */
    public Reason process(Frame frame) {
        Topology t = topology;
        SwitchPort in = t.port(frame.inPort);
        if (in == null) {
            return Reason.DROP_PORT_DISABLED;
        }
        in.stats().received(frame.length());
        Reason reason = forwarding.decide(t, frame, true, null);
        in.stats().decided(reason);
        if (!reason.isDrop()) {
            transmit(t, frame);
        }
        return reason;
    }

    private void transmit(Topology t, Frame frame) {
        boolean offloaded = VnetHeader.hasOffload(frame.buffer(), frame.start());
        for (int i = 0; i < frame.egressCount; i++) {
            SwitchPort out = t.port(frame.egress[i]);
            Port device = out.device();
            if (offloaded && !device.vnetHeader()) {
                out.stats().sendError();
                continue;
            }
            if (device.send(frame) == 0) {
                out.stats().sent(frame.length());
            } else {
                out.stats().sendError();
            }
        }
    }

    /** Where a frame would go and why, without learning or sending anything. */
    public Trace trace(Frame frame) {
        Trace trace = new Trace();
        forwarding.decide(topology, frame, false, trace);
        return trace;
    }

    /** Names of the forwarding threads, for leak checks. */
    public synchronized List<Thread> threads() {
        List<Thread> out = new ArrayList<>();
        for (PortWorker w : workers.values()) {
            out.add(w.thread());
        }
        return out;
    }

    /** Stops every thread and closes every port. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (SwitchPort port : topology.ports()) {
            removePort(port.name());
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
