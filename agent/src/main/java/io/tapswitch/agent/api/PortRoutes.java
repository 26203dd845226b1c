package io.tapswitch.agent.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.InvalidRequestException;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/** {@code /api/v1/ports}: list, inspect, add and remove ports; set their admin state and VLANs. */
final class PortRoutes {
    record PortList(List<PortView> ports) {
    }

    /** Body of {@code PUT /ports/{name}/admin}. */
    record AdminState(Boolean enabled) {
        @JsonCreator
        AdminState(@JsonProperty("enabled") Boolean enabled) {
            this.enabled = enabled;
        }
    }

    private final Vertx vertx;
    private final ControlPlane control;

    PortRoutes(Vertx vertx, ControlPlane control) {
        this.vertx = vertx;
        this.control = control;
    }

    void mount(Router router) {
        router.get("/api/v1/ports").handler(this::list);
        router.post("/api/v1/ports").handler(this::add);
        router.get("/api/v1/ports/:name").handler(this::get);
        router.delete("/api/v1/ports/:name").handler(this::remove);
        router.put("/api/v1/ports/:name/admin").handler(this::admin);
        router.put("/api/v1/ports/:name/vlan").handler(this::vlan);
    }

    private void list(RoutingContext ctx) {
        Replies.revision(ctx, control.revision());
        Replies.json(ctx, 200, new PortList(control.config().ports().stream().map(p -> PortView.of(p, control.datapath())).toList()));
    }

    private void get(RoutingContext ctx) {
        PortSpec spec = control.requirePort(ctx.pathParam("name"));
        Replies.json(ctx, 200, PortView.of(spec, control.datapath()));
    }

    private void add(RoutingContext ctx) {
        PortSpec spec = ApiJson.read(ctx.body().buffer(), PortSpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.addPort(spec, ifMatch), added -> {
            Replies.revision(ctx, control.revision());
            ctx.response().putHeader("Location", "/api/v1/ports/" + added.name());
            Replies.json(ctx, 201, PortView.of(added, control.datapath()));
        });
    }

    private void remove(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> {
            control.removePort(name, ifMatch);
            return null;
        }, none -> {
            Replies.revision(ctx, control.revision());
            Replies.noContent(ctx);
        });
    }

    private void admin(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        AdminState state = ApiJson.read(ctx.body().buffer(), AdminState.class);
        if (state.enabled() == null) {
            throw new InvalidRequestException("enabled", "is required");
        }
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.setEnabled(name, state.enabled(), ifMatch), this.replyPort(ctx));
    }

    private void vlan(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        VlanSpec vlan = ApiJson.read(ctx.body().buffer(), VlanSpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.setVlan(name, vlan, ifMatch), this.replyPort(ctx));
    }

    private java.util.function.Consumer<PortSpec> replyPort(RoutingContext ctx) {
        return spec -> {
            Replies.revision(ctx, control.revision());
            Replies.json(ctx, 200, PortView.of(spec, control.datapath()));
        };
    }
}
