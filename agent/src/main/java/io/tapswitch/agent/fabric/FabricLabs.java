package io.tapswitch.agent.fabric;

import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.NotFoundException;
import io.tapswitch.agent.vm.Labs;
import io.tapswitch.agent.vm.RemoteLabs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Labs across the hosts of a fabric: each agent answers, on an event-bus address of its own, requests to
 * start, stop and list its share of a lab, and asks the others the same for the labs brought up on it.
 * The cluster's event bus is what {@code /api/v1/hosts/{host}/...} already uses to ask other hosts, so
 * no second way to reach and authenticate to another agent's API is needed.
 */
public final class FabricLabs implements RemoteLabs, AutoCloseable {
    /** Starting a share creates TAPs, may probe the accelerator and waits for QEMU to stay up. */
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration DOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final Fabric fabric;
    private final MessageConsumer<JsonObject> consumer;

    /** Starts answering the other hosts' requests about {@code labs}. */
    public FabricLabs(Vertx vertx, Fabric fabric, Labs labs) {
        this.vertx = vertx;
        this.fabric = fabric;
        this.consumer = vertx.eventBus().consumer(address(fabric.hostId()), m -> {
            JsonObject body = m.body();
            vertx.executeBlocking(() -> answer(labs, body), false)
                    .onSuccess(m::reply)
                    .onFailure(e -> m.fail(e instanceof InvalidRequestException ? 400
                            : e instanceof NotFoundException ? 404 : 409, e.getMessage()));
        });
    }

    static String address(String host) {
        return "tapswitch.fabric.labs." + host;
    }

    private static JsonObject answer(Labs labs, JsonObject body) {
        String op = body.getString("op", "");
        return switch (op) {
            case "up" -> views(labs.upShare(body.getString("yaml"), body.getString("file"),
                    body.getJsonArray("vms", new JsonArray()).stream().map(String::valueOf).toList(), body.getString("origin")));
            case "down" -> {
                try {
                    labs.down(body.getString("lab"));
                } catch (NotFoundException e) {
                    // already down here: what the caller wants
                }
                yield new JsonObject();
            }
            case "vms" -> views(labs.localVms());
            default -> throw new InvalidRequestException("op", "unknown: '" + op + "'");
        };
    }

    private static JsonObject views(List<Labs.VmView> vms) {
        JsonArray out = new JsonArray();
        vms.forEach(v -> out.add(JsonObject.mapFrom(v)));
        return new JsonObject().put("vms", out);
    }

    @Override
    public String self() {
        return fabric.hostId();
    }

    @Override
    public Set<String> hosts() {
        Set<String> out = new TreeSet<>();
        wait(fabric.peers(), "fabric", LIST_TIMEOUT).forEach(p -> out.add(p.hostId()));
        return out;
    }

    @Override
    public List<Labs.VmView> up(String host, String yaml, String file, List<String> vms, String origin) {
        JsonObject reply = ask(host, new JsonObject().put("op", "up").put("yaml", yaml).put("file", file)
                .put("vms", new JsonArray(new ArrayList<>(vms))).put("origin", origin), UP_TIMEOUT);
        return list(reply);
    }

    @Override
    public void down(String host, String lab) {
        ask(host, new JsonObject().put("op", "down").put("lab", lab), DOWN_TIMEOUT);
    }

    @Override
    public List<Labs.VmView> vms(String host) {
        return list(ask(host, new JsonObject().put("op", "vms"), LIST_TIMEOUT));
    }

    private static List<Labs.VmView> list(JsonObject reply) {
        List<Labs.VmView> out = new ArrayList<>();
        reply.getJsonArray("vms", new JsonArray()).forEach(v -> out.add(((JsonObject) v).mapTo(Labs.VmView.class)));
        return out;
    }

    private JsonObject ask(String host, JsonObject body, Duration timeout) {
        return wait(vertx.eventBus().<JsonObject>request(address(host), body,
                new DeliveryOptions().setSendTimeout(timeout.toMillis())).map(m -> m.body()), host, timeout.plusSeconds(5));
    }

    /** Blocks a worker thread (never an event loop) until {@code f} completes. */
    private static <T> T wait(Future<T> f, String host, Duration timeout) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new Unreachable(host, cause instanceof ReplyException r ? r.getMessage() : String.valueOf(cause));
        } catch (TimeoutException e) {
            throw new Unreachable(host, "no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(host, "interrupted");
        }
    }

    @Override
    public void close() {
        consumer.unregister();
    }
}
