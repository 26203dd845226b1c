package io.tapswitch.agent.api;

import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.MirrorStats;
import io.tapswitch.core.fdb.FdbCounters;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.LongSupplier;

/** {@code /api/v1/stats}: every counter the switch keeps, in one document. */
final class StatsRoutes {
    /** @param eventsDropped datapath events lost because the event bus could not keep up */
    record Stats(List<PortCounters> ports, FdbCounters fdb, List<MirrorStats> mirrors, long eventsDropped) {
    }

    private final ControlPlane control;
    private final LongSupplier eventsDropped;

    StatsRoutes(ControlPlane control, LongSupplier eventsDropped) {
        this.control = control;
        this.eventsDropped = eventsDropped;
    }

    void mount(Router router) {
        router.get("/api/v1/stats").handler(this::get);
    }

    private void get(RoutingContext ctx) {
        Replies.json(ctx, 200, stats(control, eventsDropped));
    }

    /** Every counter of the switch {@code control} runs. */
    static Stats stats(ControlPlane control, LongSupplier eventsDropped) {
        SwitchView sw = control.view();
        List<PortCounters> ports = sw.topology().ports().stream().map(p -> PortCounters.of(p.name(), p.stats())).toList();
        List<MirrorStats> mirrors = control.config().mirrors().stream().map(MirrorSpec::name).map(sw::mirrorStats)
                .filter(java.util.Objects::nonNull).toList();
        return new Stats(ports, sw.fdb().counters(), mirrors, eventsDropped.getAsLong());
    }
}
