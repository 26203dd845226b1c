package io.tapswitch.agent;

import io.tapswitch.core.engine.PortListener;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.fdb.FdbEvent;
import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.frame.MacAddress;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Carries datapath events from forwarding threads to the Vert.x event bus.
 *
 * <p>Forwarding threads must never wait for the control plane, so events go into a bounded queue
 * that a Vert.x timer drains every 100 ms; when a MAC flood overfills it, events are dropped and
 * counted rather than slowing the datapath. Port numbers are turned into names on the Vert.x side.
 */
final class EventBridge implements FdbListener, PortListener {
    static final int QUEUE_CAPACITY = 65_536;

    private record Pending(String address, FdbEvent kind, int vlan, long mac, int port, int from, String text) {
    }

    private final ArrayBlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private Supplier<Topology> topology = () -> null;
    private long timer = -1;

    void start(Vertx vertx, Supplier<Topology> topologySupplier) {
        this.topology = topologySupplier;
        timer = vertx.setPeriodic(100, id -> drain(vertx));
    }

    void stop(Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        drain(vertx);
    }

    long dropped() {
        return dropped.get();
    }

    @Override
    public void fdbChanged(FdbEvent kind, int vlan, long mac, int port, int previousPort) {
        offer(new Pending(Events.FDB, kind, vlan, mac, port, previousPort, null));
    }

    @Override
    public void portAdded(String name) {
        offer(new Pending(Events.PORT, null, 0, 0, -1, -1, "added " + name));
    }

    @Override
    public void portRemoved(String name) {
        offer(new Pending(Events.PORT, null, 0, 0, -1, -1, "removed " + name));
    }

    @Override
    public void portStateChanged(String name, boolean operUp) {
        offer(new Pending(Events.PORT, null, 0, 0, -1, -1, (operUp ? "up " : "down ") + name));
    }

    private void offer(Pending p) {
        if (!queue.offer(p)) {
            dropped.incrementAndGet();
        }
    }

    private void drain(Vertx vertx) {
        Topology t = topology.get();
        Pending p;
        while ((p = queue.poll()) != null) {
            JsonObject json;
            if (p.kind() != null) {
                json = new JsonObject()
                        .put("event", p.kind().name())
                        .put("vlan", p.vlan())
                        .put("mac", MacAddress.format(p.mac()))
                        .put("port", portName(t, p.port()));
                if (p.from() >= 0) {
                    json.put("from", portName(t, p.from()));
                }
            } else {
                int space = p.text().indexOf(' ');
                json = new JsonObject().put("event", p.text().substring(0, space)).put("port", p.text().substring(space + 1));
            }
            vertx.eventBus().publish(p.address(), json);
        }
    }

    private static String portName(Topology t, int id) {
        if (t != null && t.port(id) != null) {
            return t.port(id).name();
        }
        return "#" + id;
    }
}
