package io.tapswitch.agent.api;

import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.Revision;
import io.tapswitch.core.engine.MirrorStats;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/** {@code /api/v1/mirrors}: create, read, replace and delete port mirrors. */
final class MirrorRoutes {
    /** A mirror's definition and its counters. */
    record MirrorView(MirrorSpec config, MirrorStats stats) {
    }

    record MirrorList(List<MirrorView> mirrors) {
    }

    private final Vertx vertx;
    private final ControlPlane control;

    MirrorRoutes(Vertx vertx, ControlPlane control) {
        this.vertx = vertx;
        this.control = control;
    }

    void mount(Router router) {
        router.get("/api/v1/mirrors").handler(this::list);
        router.post("/api/v1/mirrors").handler(this::add);
        router.get("/api/v1/mirrors/:name").handler(this::get);
        router.put("/api/v1/mirrors/:name").handler(this::replace);
        router.delete("/api/v1/mirrors/:name").handler(this::remove);
    }

    private MirrorView view(MirrorSpec spec) {
        return new MirrorView(spec, control.view().mirrorStats(spec.name()));
    }

    private void list(RoutingContext ctx) {
        Revision now = control.current();
        Replies.revision(ctx, now.number());
        Replies.json(ctx, 200, new MirrorList(now.config().mirrors().stream().map(this::view).toList()));
    }

    private void get(RoutingContext ctx) {
        Replies.json(ctx, 200, view(control.requireMirror(ctx.pathParam("name"))));
    }

    private void add(RoutingContext ctx) {
        MirrorSpec spec = ApiJson.read(ctx.body().buffer(), MirrorSpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.AddMirror(spec), ifMatch), added -> {
            Replies.revision(ctx, added.revision());
            ctx.response().putHeader("Location", "/api/v1/mirrors/" + added.value().name());
            Replies.json(ctx, 201, view(added.value()));
        });
    }

    private void replace(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        MirrorSpec spec = ApiJson.read(ctx.body().buffer(), MirrorSpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.ReplaceMirror(name, spec), ifMatch), replaced -> {
            Replies.revision(ctx, replaced.revision());
            Replies.json(ctx, 200, view(replaced.value()));
        });
    }

    private void remove(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.RemoveMirror(name), ifMatch),
                removed -> Replies.noContent(ctx, removed.revision()));
    }
}
