package io.tapswitch.agent.api;

import io.tapswitch.agent.config.FieldError;
import io.tapswitch.agent.state.ConflictException;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.NotFoundException;
import io.tapswitch.core.capture.Capture;
import io.tapswitch.core.capture.CaptureSpec;
import io.tapswitch.core.engine.Switch;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code GET /api/v1/ports/{name}/capture} and {@code GET /api/v1/mirrors/{name}/capture}: a pcap
 * download of what a port carries (both directions, as on its wire) or what a mirror copies, streamed
 * while it is captured; and {@code GET /api/v1/captures}: the captures running now.
 *
 * <p>The switch's capture engine already keeps the datapath safe: forwarding threads copy a frame
 * into a bounded ring, or drop and count it when the ring is full, and the capture's own writer
 * thread turns the ring into a pcap stream. This class supplies the other end of that stream, a
 * {@link ResponseOutput} that hands the writer's bytes to the HTTP response on the request's event
 * loop. When the client reads more slowly than the capture produces, the writer thread (never a
 * forwarding thread, never the event loop) waits for the response to drain, the ring fills, and the
 * engine drops and counts frames: the one place where losing data costs the switch nothing.
 *
 * <p>Every capture is bounded, because a forgotten download must not run for ever: without
 * {@code count}, {@code bytes} or {@code seconds} it lasts {@link #DEFAULT_SECONDS} seconds, and no
 * capture lasts longer than {@link #MAX_SECONDS} seconds. The response headers and the pcap file
 * header are sent as soon as the capture starts, so a client (tcpdump reading a pipe, a browser)
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
    /** How often the event loop checks whether a capture has ended (a cheap flag read). */
    private static final long END_POLL_MILLIS = 100;
    private static final Set<String> PARAMETERS = Set.of("count", "bytes", "seconds", "snaplen", "nanos");

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
        Switch sw = control.datapath();
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
            if (control.datapath().topology().idOf(name) >= 0) {
                // the engine looks a capture target up among ports first
                throw new ConflictException("a port is also named '" + name + "'; capture that port instead");
            }
        } else {
            control.requirePort(name);
        }
        String kind = mirror ? "mirror" : "port";
        HttpServerResponse response = ctx.response();
        Context context = vertx.getOrCreateContext();
        long patienceMillis = spec.duration().toMillis() + TimeUnit.SECONDS.toMillis(30);
        ResponseOutput out = new ResponseOutput(context, response, () -> begin(response, name), patienceMillis);
        response.closeHandler(v -> out.abandon());
        response.exceptionHandler(e -> out.abandon());
        vertx.executeBlocking(() -> control.datapath().startCapture(spec, out), false).onComplete(ar -> {
            if (ar.failed()) {
                out.abandon();
                Throwable cause = ar.cause();
                ctx.fail(cause instanceof IllegalArgumentException ? new NotFoundException(cause.getMessage()) : cause);
                return;
            }
            Capture capture = ar.result();
            LOG.info("capture of {} {} started: {}", kind, name, spec);
            out.attach(capture, c -> vertx.executeBlocking(() -> {
                c.close();
                return null;
            }, false));
            vertx.setPeriodic(END_POLL_MILLIS, timer -> {
                if (capture.isDone()) {
                    vertx.cancelTimer(timer);
                    // queued behind the writer's last bytes, which were handed over before it ended
                    context.runOnContext(v -> end(response, out, capture, kind, name));
                }
            });
        });
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

    private static void end(HttpServerResponse response, ResponseOutput out, Capture capture, String kind, String name) {
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
        for (String param : ctx.queryParams().names()) {
            if (!PARAMETERS.contains(param)) {
                errors.add(new FieldError(param, "unknown parameter; known are count, bytes, seconds, snaplen and nanos"));
            }
        }
        long count = number(ctx, "count", 1, MAX_COUNT, 0, errors);
        long bytes = number(ctx, "bytes", 1, MAX_BYTES, 0, errors);
        long seconds = number(ctx, "seconds", 1, MAX_SECONDS, 0, errors);
        long snaplen = number(ctx, "snaplen", 1, 65535, CaptureSpec.DEFAULT_SNAPLEN, errors);
        boolean nanos = false;
        String nanosText = single(ctx, "nanos", errors);
        if (nanosText != null) {
            switch (nanosText) {
                case "", "true", "1" -> nanos = true;
                case "false", "0" -> nanos = false;
                default -> errors.add(new FieldError("nanos", "must be true or false, was '" + nanosText + "'"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        Duration duration = Duration.ofSeconds(seconds > 0 ? seconds : count > 0 || bytes > 0 ? MAX_SECONDS : DEFAULT_SECONDS);
        return new CaptureSpec(name, count, bytes, duration, (int) snaplen, nanos, CaptureSpec.DEFAULT_QUEUE_BYTES);
    }

    private static long number(RoutingContext ctx, String field, long min, long max, long absent, List<FieldError> errors) {
        String text = single(ctx, field, errors);
        if (text == null) {
            return absent;
        }
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        errors.add(new FieldError(field, "must be an integer from " + min + " to " + max + ", was '" + text + "'"));
        return absent;
    }

    private static String single(RoutingContext ctx, String field, List<FieldError> errors) {
        List<String> values = ctx.queryParam(field);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            errors.add(new FieldError(field, "give at most one value"));
            return null;
        }
        return values.get(0);
    }

    /**
     * The capture writer's output: collects its bytes into chunks and hands each chunk to the HTTP
     * response on the response's event loop, which is the only thread allowed to write to it.
     *
     * <p>Back-pressure works by making the writer thread wait. After a write fills the response's
     * write queue, no more chunks are handed over until the queue drains; and at most
     * {@value #MAX_IN_FLIGHT} chunks may be on their way to the event loop, so that the writer
     * cannot run ahead of the queue check. Memory per download is thus bounded by the write queue,
     * plus those chunks, plus the capture's own ring. The writer also stops waiting, and fails the
     * capture, when the client disconnects or has read nothing for longer than the capture may last.
     */
    static final class ResponseOutput extends OutputStream {
        static final int CHUNK = 64 * 1024;
        static final int MAX_IN_FLIGHT = 2;

        private final Context context;
        private final HttpServerResponse response;
        private final Runnable begin;
        private final long patienceNanos;
        private final byte[] pending = new byte[CHUNK];
        private int count;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private int inFlight;
        private boolean full;
        private boolean begun;
        private volatile boolean abandoned;
        private volatile Capture capture;
        private volatile java.util.function.Consumer<Capture> stopper;

        /**
         * @param begin          sets the response's status and headers; run once, on the event loop,
         *                       just before the first bytes are written
         * @param patienceMillis how long the writer waits for a client that reads nothing
         */
        ResponseOutput(Context context, HttpServerResponse response, Runnable begin, long patienceMillis) {
            this.context = context;
            this.response = response;
            this.begin = begin;
            this.patienceNanos = TimeUnit.MILLISECONDS.toNanos(patienceMillis);
        }

        /**
         * Ties the running capture to this output, so that a client going away stops it. The
         * stopper runs off the event loop, since stopping waits for the writer thread.
         */
        void attach(Capture c, java.util.function.Consumer<Capture> stop) {
            this.stopper = stop;
            this.capture = c;
            if (abandoned) {
                stop.accept(c);
            }
        }

        /** The client went away (or the capture could not start): writes fail from now on. */
        void abandon() {
            if (abandoned) {
                return;
            }
            abandoned = true;
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            Capture c = capture;
            java.util.function.Consumer<Capture> stop = stopper;
            if (c != null && stop != null) {
                stop.accept(c);
            }
        }

        boolean abandoned() {
            return abandoned;
        }

        @Override
        public void write(int b) throws IOException {
            if (count == CHUNK) {
                send();
            }
            pending[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, CHUNK - count);
                System.arraycopy(b, off, pending, count, n);
                count += n;
                off += n;
                len -= n;
                if (count == CHUNK) {
                    send();
                }
            }
        }

        /** Hands over what was written so far: the writer flushes whenever its queue is empty. */
        @Override
        public void flush() throws IOException {
            if (count > 0) {
                send();
            }
        }

        private void send() throws IOException {
            Buffer chunk = Buffer.buffer(Arrays.copyOf(pending, count));
            count = 0;
            lock.lock();
            try {
                long left = patienceNanos;
                while (!abandoned && (full || inFlight >= MAX_IN_FLIGHT)) {
                    if (left <= 0) {
                        abandoned = true;
                        throw new IOException("the client read nothing for " + TimeUnit.NANOSECONDS.toSeconds(patienceNanos) + " s");
                    }
                    left = changed.awaitNanos(left);
                }
                if (abandoned) {
                    throw new IOException("the client closed the capture download");
                }
                inFlight++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the client was slow");
            } finally {
                lock.unlock();
            }
            context.runOnContext(v -> deliver(chunk));
        }

        /** Writes one chunk to the response; runs on the event loop. */
        private void deliver(Buffer chunk) {
            boolean queueFull = false;
            if (!abandoned) {
                try {
                    if (!begun) {
                        begun = true;
                        begin.run();
                    }
                    response.write(chunk);
                    queueFull = response.writeQueueFull();
                    if (queueFull) {
                        response.drainHandler(v -> {
                            lock.lock();
                            try {
                                full = false;
                                changed.signalAll();
                            } finally {
                                lock.unlock();
                            }
                        });
                    }
                } catch (IllegalStateException e) {
                    // the response was closed or reset meanwhile
                    abandon();
                }
            }
            lock.lock();
            try {
                inFlight--;
                full = queueFull;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
