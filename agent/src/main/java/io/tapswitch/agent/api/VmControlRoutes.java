package io.tapswitch.agent.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.agent.vm.Labs;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BiFunction;

/**
 * Per-VM control of a lab that is up: {@code POST /api/v1/labs/{lab}/vms/{vm}/start|stop|restart}
 * and {@code PUT /api/v1/labs/{lab}/vms/{vm}/nics/{nic}/link}. Each starts or signals processes or
 * waits for QEMU, so it runs on a worker; the answer is the VM (or NIC) as it is afterwards.
 */
final class VmControlRoutes {
    /** The body of {@code PUT .../nics/{nic}/link}. */
    record LinkRequest(Boolean up) {
        @JsonCreator
        LinkRequest(@JsonProperty("up") Boolean up) {
            this.up = up;
        }
    }

    private final Vertx vertx;
    private final Labs labs;

    VmControlRoutes(Vertx vertx, Labs labs) {
        this.vertx = vertx;
        this.labs = labs;
    }

    void mount(Router router) {
        router.post("/api/v1/labs/:lab/vms/:vm/start").handler(ctx -> act(ctx, labs::start));
        router.post("/api/v1/labs/:lab/vms/:vm/stop").handler(ctx -> act(ctx, labs::stop));
        router.post("/api/v1/labs/:lab/vms/:vm/restart").handler(ctx -> act(ctx, labs::restart));
        router.put("/api/v1/labs/:lab/vms/:vm/nics/:nic/link").handler(this::link);
    }

    private void act(RoutingContext ctx, BiFunction<String, String, Labs.VmView> action) {
        String lab = ctx.pathParam("lab");
        String vm = ctx.pathParam("vm");
        Replies.blocking(vertx, ctx, () -> action.apply(lab, vm), view -> Replies.json(ctx, 200, view));
    }

    private void link(RoutingContext ctx) {
        LinkRequest request = ApiJson.read(ctx.body().buffer(), LinkRequest.class);
        String lab = ctx.pathParam("lab");
        String vm = ctx.pathParam("vm");
        String nic = ctx.pathParam("nic");
        Replies.blocking(vertx, ctx, () -> labs.link(lab, vm, nic, request.up()), view -> Replies.json(ctx, 200, view));
    }
}
