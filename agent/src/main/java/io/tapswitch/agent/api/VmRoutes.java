package io.tapswitch.agent.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.agent.check.LabTests;
import io.tapswitch.agent.event.Events;
import io.tapswitch.agent.vm.Labs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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

    /** The answer to a {@code DELETE /api/v1/labs/{name}} that could not reach every host of a lab across hosts. */
    record DownReport(String lab, List<String> unreachable) {
    }

    private final Vertx vertx;
    private final Labs labs;
    private final LabTests tests;

    VmRoutes(Vertx vertx, Labs labs) {
        this.vertx = vertx;
        this.labs = labs;
        this.tests = new LabTests(labs);
    }

    void mount(Router router) {
        router.get("/api/v1/vms").handler(this::list);
        router.post("/api/v1/labs").handler(this::up);
        router.delete("/api/v1/labs/:name").handler(this::down);
        new VmControlRoutes(vertx, labs).mount(router);
        router.post("/api/v1/labs/:name/test").handler(this::test);
    }

    /**
     * {@code POST /api/v1/labs/{name}/test}, optional body {@code {"file": "/abs/lab.yaml"}}: runs the
     * lab's checks (see {@link LabTests}) on a worker, publishes each result on the event stream as
     * {@code lab-check} while the others still run, and answers with all of them. The lab must be up
     * (409 otherwise); nothing is brought up or down.
     */
    private void test(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String file = ctx.body().buffer() == null || ctx.body().buffer().length() == 0 ? null : ApiJson.read(ctx.body().buffer(), LabRequest.class).file();
        // A test takes minutes: on a thread of its own rather than a Vert.x worker, which the
        // blocked-thread checker would report every few seconds.
        io.vertx.core.Context context = vertx.getOrCreateContext();
        Thread runner = new Thread(() -> {
            try {
                LabTests.Report report = tests.test(name, file,
                        r -> vertx.eventBus().publish(Events.LAB_CHECK, JsonObject.mapFrom(r)));
                context.runOnContext(v -> Replies.json(ctx, 200, report));
            } catch (InterruptedException e) {
                context.runOnContext(v -> ctx.fail(e));
            } catch (RuntimeException | Error e) {
                context.runOnContext(v -> ctx.fail(e));
            }
        }, "lab-test-" + name);
        runner.setDaemon(true);
        runner.start();
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
        Replies.blocking(vertx, ctx, () -> labs.down(name), unreachable -> {
            if (unreachable.isEmpty()) {
                Replies.noContent(ctx);
            } else {
                // Down here, but hosts that did not answer may still run VMs of the lab.
                Replies.json(ctx, 200, new DownReport(name, unreachable));
            }
        });
    }
}
