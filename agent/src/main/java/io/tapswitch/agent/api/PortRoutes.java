package io.tapswitch.agent.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.agent.config.AutoAttachSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.SecuritySpec;
import io.tapswitch.agent.config.StormSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.Committed;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.Revision;
import io.tapswitch.agent.state.TransientPorts;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/** {@code /api/v1/ports}: list, inspect, add and remove ports; set their admin state, VLANs, security, storm control and link impairment. */
final class PortRoutes {
    record PortList(List<PortView> ports) {
    }

    /** Body of {@code GET /auto-attach}: the configuration's rules, in the order they are tried. */
    record AutoAttachRules(List<AutoAttachSpec> rules) {
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
        router.get("/api/v1/auto-attach").handler(this::autoAttach);
        router.delete("/api/v1/ports/:name").handler(this::remove);
        router.put("/api/v1/ports/:name/admin").handler(this::admin);
        router.put("/api/v1/ports/:name/vlan").handler(this::vlan);
        router.put("/api/v1/ports/:name/security").handler(this::security);
        router.put("/api/v1/ports/:name/storm").handler(this::storm);
        router.put("/api/v1/ports/:name/impair").handler(this::impair);
    }

    private void list(RoutingContext ctx) {
        Revision now = control.current();
        Replies.revision(ctx, now.number());
        Replies.json(ctx, 200, portList(control, now));
    }

    /** Every port of the configuration {@code now}, as the switch sees it. */
    static PortList portList(ControlPlane control, Revision now) {
        return new PortList(now.config().ports().stream()
                .map(p -> PortView.of(p, control.view(), now.transientPorts().ownerOf(p.name()))).toList());
    }

    private void get(RoutingContext ctx) {
        PortSpec spec = control.requirePort(ctx.pathParam("name"));
        Replies.json(ctx, 200, PortView.of(spec, control.view(), control.ownerOf(spec.name())));
    }

    private void add(RoutingContext ctx) {
        PortSpec asked = ApiJson.read(ctx.body().buffer(), PortSpec.class);
        String owner = transientOwner(ctx.queryParams().get("transient"));
        PortSpec spec = withRuleVlan(asked, owner);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.AddPort(spec, owner), ifMatch), added -> {
            Replies.revision(ctx, added.revision());
            ctx.response().putHeader("Location", "/api/v1/ports/" + added.value().name());
            Replies.json(ctx, 201, PortView.of(added.value(), control.view(), control.ownerOf(added.value().name())));
        });
    }

    /**
     * The owner of a port added with {@code ?transient=true}: such a port lives only as long as its
     * device (a TAP QEMU made for its {@code script=}) and is never written to the configuration
     * file, so an agent restarted after the device went does not fail on a port it can no longer open.
     */
    private static String transientOwner(String value) {
        if (value == null || value.equals("false")) {
            return null;
        }
        if (value.equals("true")) {
            return TransientPorts.API_OWNER;
        }
        throw new InvalidRequestException("transient", "must be true or false, was '" + value + "'");
    }

    /**
     * A transient port asked for without VLAN settings takes those of the auto-attach rule its name
     * matches: the ifup script of a TAP named like the rule's interfaces then puts it where the rule
     * would have, whichever of the two is quicker.
     */
    private PortSpec withRuleVlan(PortSpec spec, String owner) {
        if (owner == null || spec == null || spec.vlan() != null || spec.name() == null) {
            return spec;
        }
        AutoAttachSpec rule = control.config().autoAttachRule(spec.name());
        return rule == null ? spec : spec.withVlan(rule.vlan());
    }

    private void autoAttach(RoutingContext ctx) {
        Replies.json(ctx, 200, new AutoAttachRules(control.config().autoAttach()));
    }

    private void remove(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.RemovePort(name), ifMatch),
                removed -> Replies.noContent(ctx, removed.revision()));
    }

    private void admin(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        AdminState state = ApiJson.read(ctx.body().buffer(), AdminState.class);
        if (state.enabled() == null) {
            throw new InvalidRequestException("enabled", "is required");
        }
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.SetAdmin(name, state.enabled()), ifMatch), replyPort(ctx));
    }

    private void vlan(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        VlanSpec vlan = ApiJson.read(ctx.body().buffer(), VlanSpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.SetVlan(name, vlan), ifMatch), replyPort(ctx));
    }

    private void security(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        SecuritySpec security = ApiJson.read(ctx.body().buffer(), SecuritySpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.SetSecurity(name, security), ifMatch), replyPort(ctx));
    }

    private void storm(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        StormSpec storm = ApiJson.read(ctx.body().buffer(), StormSpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.SetStorm(name, storm), ifMatch), replyPort(ctx));
    }

    private void impair(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        io.tapswitch.agent.config.ImpairSpec impair =
                ApiJson.read(ctx.body().buffer(), io.tapswitch.agent.config.ImpairSpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.SetImpair(name, impair), ifMatch), replyPort(ctx));
    }

    private java.util.function.Consumer<Committed<PortSpec>> replyPort(RoutingContext ctx) {
        return changed -> {
            Replies.revision(ctx, changed.revision());
            Replies.json(ctx, 200, PortView.of(changed.value(), control.view(), control.ownerOf(changed.value().name())));
        };
    }
}
