package io.tapswitch.agent.api;

import io.tapswitch.agent.config.FieldError;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.capture.Capture;
import io.tapswitch.core.capture.CaptureSpec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/v1/ports/{name}/capture} and {@code GET /api/v1/mirrors/{name}/capture}: a pcap
 * download of what a port carries (both directions, as on its wire) or what a mirror copies, streamed
 * while it is captured; and {@code GET /api/v1/captures}: the captures running now.
 *
 * <p>The switch's capture engine already keeps the datapath safe: forwarding threads copy a frame
 * into a bounded ring, or drop and count it when the ring is full, and the capture's own writer
 * thread turns the ring into a pcap stream. This class starts captures through the
 * {@link ControlPlane} and gives that stream its other end, a {@link ResponseStream} that hands the
 * writer's bytes to the HTTP response on the request's event loop; when the capture ends, its end
 * callback finishes the response. When the client reads more slowly than the capture produces, the writer thread (never a
 * forwarding thread, never the event loop) waits for the response to drain, the ring fills, and the
 * engine drops and counts frames: the one place where losing data costs the switch nothing.
 *
 * <p>Every capture is bounded, because a forgotten download must not run for ever: without
 * {@code count}, {@code bytes} or {@code seconds} it lasts {@link #DEFAULT_SECONDS} seconds, and no
 * capture lasts longer than {@link #MAX_SECONDS} seconds. The response headers and the pcap file
 * header are sent as soon as the capture is on the frame path, so a client (tcpdump reading a pipe, a browser)
 * knows at once that the capture runs, even when no frame comes for a while. The frame and drop
 * counts are sent as HTTP trailers at the end and logged. A client that disconnects ends its capture.
 */
final class CaptureRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureRoutes.class);

    public static final String PCAP_TYPE = "application/vnd.tcpdump.pcap";
    /** How long a capture given no limit at all lasts. */
    public static final int DEFAULT_SECONDS = 10;
    /** The longest capture a request may ask for, and the bound of one given only a count or bytes. */
    public static final int MAX_SECONDS = 3600;
    public static final long MAX_COUNT = 1_000_000_000L;
    public static final long MAX_BYTES = 1L << 40;
    public static final String FRAMES_TRAILER = "X-Capture-Frames";
    public static final String DROPPED_TRAILER = "X-Capture-Dropped";
    private static final List<String> PARAMETERS = List.of("count", "bytes", "seconds", "snaplen", "nanos");

    /** One running capture, as {@code GET /captures} lists it. */
    record CaptureView(String target, String kind, long frames, long dropped, int snaplen) {
    }

    record CaptureList(List<CaptureView> captures) {
    }

    private final Vertx vertx;
    private final ControlPlane control;

    CaptureRoutes(Vertx vertx, ControlPlane control) {
        this.vertx = vertx;
        this.control = control;
    }

    void mount(Router router) {
        router.get("/api/v1/ports/:name/capture").handler(ctx -> capture(ctx, false));
        router.get("/api/v1/mirrors/:name/capture").handler(ctx -> capture(ctx, true));
        router.get("/api/v1/captures").handler(this::list);
    }

    private void list(RoutingContext ctx) {
        SwitchView sw = control.view();
        List<CaptureView> views = sw.captures().stream().filter(c -> !c.isDone()).map(c -> new CaptureView(c.spec().target(),
                sw.topology().idOf(c.spec().target()) >= 0 ? "port" : "mirror", c.frames(), c.dropped(), c.spec().snaplen()))
                .toList();
        Replies.json(ctx, 200, new CaptureList(views));
    }

    private void capture(RoutingContext ctx, boolean mirror) {
        String name = ctx.pathParam("name");
        CaptureSpec spec = spec(ctx, name);
        if (mirror) {
            control.requireMirror(name);
        } else {
            control.requirePort(name);
        }
        String kind = mirror ? "mirror" : "port";
        HttpServerResponse response = ctx.response();
        Context context = vertx.getOrCreateContext();
        long patienceMillis = spec.duration().toMillis() + TimeUnit.SECONDS.toMillis(30);
        ResponseStream out = new ResponseStream(context, response, () -> begin(response, name), patienceMillis);
        response.closeHandler(v -> out.abandon());
        response.exceptionHandler(e -> out.abandon());
        // Called on the capture's writer thread once it has ended; queued on the event loop behind
        // the writer's last bytes, which were handed over before it ended.
        java.util.function.Consumer<Capture> ended = c -> context.runOnContext(v -> end(response, out, c, kind, name));
        Replies.blocking(vertx, ctx, () -> mirror ? control.captureMirror(spec, out, ended) : control.capturePort(spec, out, ended),
                capture -> {
                    LOG.info("capture of {} {} started: {}", kind, name, spec);
                    out.attach(capture, c -> vertx.executeBlocking(() -> {
                        c.close();
                        return null;
                    }, false));
                }, failure -> out.abandon());
    }

    /** Headers of a capture download; sent with the pcap file header, before any frame. */
    private static void begin(HttpServerResponse response, String name) {
        String file = name.replaceAll("[^A-Za-z0-9._-]", "_") + ".pcap";
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", PCAP_TYPE)
                .putHeader("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Accel-Buffering", "no")
                .putHeader("Trailer", FRAMES_TRAILER + ", " + DROPPED_TRAILER);
    }

    private static void end(HttpServerResponse response, ResponseStream out, Capture capture, String kind, String name) {
        IOException failure = capture.failure();
        LOG.info("capture of {} {} ended: {} frames written, {} dropped{}", kind, name, capture.frames(), capture.dropped(),
                failure == null ? "" : " (" + failure.getMessage() + ")");
        if (response.ended() || response.closed()) {
            return;
        }
        if (failure != null || out.abandoned()) {
            // a pcap cut short must not look complete to the client
            response.reset();
            return;
        }
        if (!response.headWritten()) {
            begin(response, name);
        }
        response.putTrailer(FRAMES_TRAILER, Long.toString(capture.frames()))
                .putTrailer(DROPPED_TRAILER, Long.toString(capture.dropped()))
                .end();
    }

    /** The capture the query asks for; every bad parameter is named in one 400 answer. */
    static CaptureSpec spec(RoutingContext ctx, String name) {
        List<FieldError> errors = new ArrayList<>();
        Replies.onlyKnown(ctx, PARAMETERS, errors);
        long count = Replies.number(ctx, "count", 1, MAX_COUNT, 0, errors);
        long bytes = Replies.number(ctx, "bytes", 1, MAX_BYTES, 0, errors);
        long seconds = Replies.number(ctx, "seconds", 1, MAX_SECONDS, 0, errors);
        long snaplen = Replies.number(ctx, "snaplen", 1, 65535, CaptureSpec.DEFAULT_SNAPLEN, errors);
        boolean nanos = Replies.flag(ctx, "nanos", errors);
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        Duration duration = Duration.ofSeconds(seconds > 0 ? seconds : count > 0 || bytes > 0 ? MAX_SECONDS : DEFAULT_SECONDS);
        return new CaptureSpec(name, count, bytes, duration, (int) snaplen, nanos, CaptureSpec.DEFAULT_QUEUE_BYTES);
    }
}
