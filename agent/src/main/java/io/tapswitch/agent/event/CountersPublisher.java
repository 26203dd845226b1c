package io.tapswitch.agent.event;

import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.engine.Topology;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * Publishes every port's counters on {@link Events#COUNTERS} once a second, so that live views
 * (the event stream, the console) show rates without polling the API.
 *
 * <p>Reading the counters is a handful of opaque loads per port, cheap enough for an event-loop
 * timer even with hundreds of ports.
 */
public final class CountersPublisher {
    static final long PERIOD_MILLIS = 1000;

    private final Supplier<Topology> topology;
    private final String host;
    private long timer = -1;

    /**
     * @param topology the switch's current snapshot, read at every tick
     * @param host     this host's id in a fabric, or null for an agent that runs alone
     */
    public CountersPublisher(Supplier<Topology> topology, String host) {
        this.topology = topology;
        this.host = host;
    }

    public void start(Vertx vertx) {
        timer = vertx.setPeriodic(PERIOD_MILLIS, id -> vertx.eventBus().publish(Events.COUNTERS, snapshot()));
    }

    public void stop(Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    JsonObject snapshot() {
        JsonArray ports = new JsonArray();
        for (SwitchPort p : topology.get().ports()) {
            PortStats s = p.stats();
            ports.add(new JsonObject()
                    .put("name", p.name())
                    .put("rxPackets", s.rxPackets())
                    .put("rxBytes", s.rxBytes())
                    .put("txPackets", s.txPackets())
                    .put("txBytes", s.txBytes())
                    .put("drops", s.drops()));
        }
        JsonObject out = new JsonObject().put("ports", ports);
        return host == null ? out : out.put("host", host);
    }
}
