package io.tapswitch.agent.api;

import io.tapswitch.agent.event.Events;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/events}: a Server-Sent Events stream of everything the agent publishes — port
 * added/removed/up/down ({@code event: port}), MAC learned/moved/expired/evicted/flushed
 * ({@code event: fdb}), committed configuration changes ({@code event: config}) and, once a second,
 * every port's counters ({@code event: counters}), and each result of a lab test as its check ends
 * ({@code event: lab-check}).
 *
 * <p>SSE rather than WebSocket because it is plain HTTP: curl, browsers' EventSource and proxies
 * handle it, and the stream only flows one way. A client that does not read fast enough loses
 * events (its connection's write queue is full) rather than making the agent buffer without bound.
 */
final class EventStream {
    /** Event name in the stream for each event-bus address. */
    static final Map<String, String> TYPES = Map.of(
            Events.PORT, "port",
            Events.FDB, "fdb",
            Events.CONFIG, "config",
            Events.COUNTERS, "counters",
            Events.LAB_CHECK, "lab-check");

    private final Vertx vertx;

    EventStream(Vertx vertx) {
        this.vertx = vertx;
    }

    void mount(Router router) {
        router.get("/api/v1/events").handler(this::stream);
    }

    private void stream(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        response.write(": tapswitch events\n\n");
        List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
        for (Map.Entry<String, String> type : TYPES.entrySet()) {
            consumers.add(vertx.eventBus().<JsonObject>consumer(type.getKey(), m -> {
                if (!response.writeQueueFull() && !response.closed()) {
                    response.write("event: " + type.getValue() + "\ndata: " + m.body().encode() + "\n\n");
                }
            }));
        }
        response.closeHandler(v -> consumers.forEach(MessageConsumer::unregister));
    }
}
