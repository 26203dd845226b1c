package io.tapswitch.agent.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.Revision;
import io.tapswitch.core.fdb.FdbCounters;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /api/v1/switch}: the switch as a whole, and its revision. */
final class SwitchRoutes {
    /**
     * @param revision      the configuration revision, also sent as the {@code ETag}
     * @param configFile    where changes are persisted, or null when they are not
     * @param eventsDropped datapath events lost because the event bus could not keep up
     */
    record SwitchView(String name, long revision, int macTableSize, int agingSeconds, int ports, int mirrors,
                      int staticMacs, FdbCounters fdb, String configFile, long eventsDropped) {
    }

    /** The settings that can change while the switch runs. */
    record SwitchPatch(Integer agingSeconds) {
        @JsonCreator
        SwitchPatch(@JsonProperty("agingSeconds") Integer agingSeconds) {
            this.agingSeconds = agingSeconds;
        }
    }

    private final Vertx vertx;
    private final ControlPlane control;
    private final java.util.function.LongSupplier eventsDropped;

    SwitchRoutes(Vertx vertx, ControlPlane control, java.util.function.LongSupplier eventsDropped) {
        this.vertx = vertx;
        this.control = control;
        this.eventsDropped = eventsDropped;
    }

    void mount(Router router) {
        router.get("/api/v1/switch").handler(this::get);
        router.patch("/api/v1/switch").handler(this::patch);
    }

    private SwitchView view(Revision now) {
        AgentConfig c = now.config();
        return new SwitchView(c.name(), now.number(), c.macTableSize(), c.agingSeconds(), c.ports().size(),
                c.mirrors().size(), c.staticMacs().size(), control.view().fdb().counters(),
                control.file() == null ? null : control.file().path().toString(), eventsDropped.getAsLong());
    }

    private void get(RoutingContext ctx) {
        SwitchView v = view(control.current());
        Replies.revision(ctx, v.revision());
        Replies.json(ctx, 200, v);
    }

    private void patch(RoutingContext ctx) {
        SwitchPatch patch = ApiJson.read(ctx.body().buffer(), SwitchPatch.class);
        Long ifMatch = Replies.ifMatch(ctx);
        if (patch.agingSeconds() == null) {
            throw new InvalidRequestException("", "nothing to change: give agingSeconds");
        }
        Replies.blocking(vertx, ctx, () -> view(control.submit(new Change.SetAging(patch.agingSeconds()), ifMatch).state()),
                v -> {
                    Replies.revision(ctx, v.revision());
                    Replies.json(ctx, 200, v);
                });
    }
}
