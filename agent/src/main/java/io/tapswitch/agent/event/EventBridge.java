package io.tapswitch.agent.event;

import io.tapswitch.core.engine.PortListener;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.fdb.FdbEvent;
import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.MacAddress;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * Carries datapath events from forwarding threads to the Vert.x event bus.
 *
 * <p>Forwarding threads must never wait for the control plane, so events go into a bounded queue
 * that a Vert.x timer drains every 100 ms; when a MAC flood overfills it, events are dropped and
 * counted rather than slowing the datapath.
 *
 * <p>Port numbers are turned into names when the event happens, not when it is drained: by then
 * the port may be gone (a removal flushes its entries after the port has left the topology). The
 * last name seen for each port number is remembered for exactly that case.
 */
public final class EventBridge implements FdbListener, PortListener {
    static final int QUEUE_CAPACITY = 65_536;
    static final long DRAIN_PERIOD_MILLIS = 100;

    private record Pending(String address, FdbEvent kind, int vlan, long mac, String port, String from, String text) {
    }

    private final String host;
    private final ArrayBlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicReferenceArray<String> names = new AtomicReferenceArray<>(MacTable.MAX_PORTS);
    private volatile Supplier<Topology> topology = () -> null;
    private long timer = -1;

    /**
     * @param host this host's id in a fabric, put in every event so that one stream can carry every
     *             host's; null for an agent that runs alone
     */
    public EventBridge(String host) {
        this.host = host;
    }

    /** Lets events name ports; call as soon as the switch exists, before ports are added. */
    public void bind(Supplier<Topology> topologySupplier) {
        this.topology = topologySupplier;
    }

    public void start(Vertx vertx) {
        timer = vertx.setPeriodic(DRAIN_PERIOD_MILLIS, id -> drain(vertx));
    }

    public void stop(Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        drain(vertx);
    }

    public long dropped() {
        return dropped.get();
    }

    @Override
    public void fdbChanged(FdbEvent kind, int vlan, long mac, int port, int previousPort) {
        offer(new Pending(Events.FDB, kind, vlan, mac, nameOf(port), previousPort >= 0 ? nameOf(previousPort) : null, null));
    }

    @Override
    public void portAdded(String name) {
        Topology t = topology.get();
        int id = t == null ? -1 : t.idOf(name);
        if (id >= 0 && id < names.length()) {
            names.set(id, name);
        }
        offer(new Pending(Events.PORT, null, 0, 0, name, null, "added"));
    }

    @Override
    public void portRemoved(String name) {
        offer(new Pending(Events.PORT, null, 0, 0, name, null, "removed"));
    }

    @Override
    public void portStateChanged(String name, boolean operUp) {
        offer(new Pending(Events.PORT, null, 0, 0, name, null, operUp ? "up" : "down"));
    }

    private String nameOf(int id) {
        Topology t = topology.get();
        SwitchPort p = t == null ? null : t.port(id);
        if (p != null) {
            if (id < names.length()) {
                names.lazySet(id, p.name());
            }
            return p.name();
        }
        String known = id >= 0 && id < names.length() ? names.get(id) : null;
        return known != null ? known : "#" + id;
    }

    private void offer(Pending p) {
        if (!queue.offer(p)) {
            dropped.incrementAndGet();
        }
    }

    private void drain(Vertx vertx) {
        Pending p;
        while ((p = queue.poll()) != null) {
            JsonObject json;
            if (p.kind() != null) {
                json = new JsonObject()
                        .put("event", p.kind().name())
                        .put("vlan", p.vlan())
                        .put("mac", MacAddress.format(p.mac()))
                        .put("port", p.port());
                if (p.from() != null) {
                    json.put("from", p.from());
                }
            } else {
                json = new JsonObject().put("event", p.text()).put("port", p.port());
            }
            if (host != null) {
                json.put("host", host);
            }
            vertx.eventBus().publish(p.address(), json);
        }
    }
}
