package io.tapswitch.agent.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.agent.vm.Labs;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * {@code /api/v1/vms} and {@code /api/v1/labs}: the QEMU guests of the VM labs on this machine, and
 * bringing a lab file up or down. Bringing a lab up creates TAPs and starts processes, so it runs
 * on a worker; listing only reads state files.
 */
final class VmRoutes {
    /** The body of {@code POST /api/v1/labs}. */
    record LabRequest(String file) {
        @JsonCreator
        LabRequest(@JsonProperty("file") String file) {
            this.file = file;
        }
    }

    record VmList(List<Labs.VmView> vms) {
    }

    private final Vertx vertx;
    private final Labs labs;

    VmRoutes(Vertx vertx, Labs labs) {
        this.vertx = vertx;
        this.labs = labs;
    }

    void mount(Router router) {
        router.get("/api/v1/vms").handler(this::list);
        router.post("/api/v1/labs").handler(this::up);
        router.delete("/api/v1/labs/:name").handler(this::down);
        new VmControlRoutes(vertx, labs).mount(router);
    }

    private void list(RoutingContext ctx) {
        Replies.blocking(vertx, ctx, labs::vms, vms -> Replies.json(ctx, 200, new VmList(vms)));
    }

    private void up(RoutingContext ctx) {
        LabRequest request = ApiJson.read(ctx.body().buffer(), LabRequest.class);
        Replies.blocking(vertx, ctx, () -> labs.up(request.file()), vms -> Replies.json(ctx, 201, new VmList(vms)));
    }

    private void down(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Replies.blocking(vertx, ctx, () -> {
            labs.down(name);
            return null;
        }, none -> Replies.noContent(ctx));
    }
}
