package io.tapswitch.agent.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.fabric.Fabric;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.vm.Labs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * The control-plane HTTP server: the REST API under {@code /api/v1}, Prometheus metrics at
 * {@code /metrics}, and the web console's static files at {@code /}.
 *
 * <p>Handlers run on the event loop and only read snapshots; anything that opens a device or writes
 * the configuration file runs on a worker through the {@link ControlPlane}. There is no CORS
 * handler on purpose: a web page from another origin must not drive the switch through a browser
 * on the operator's machine. Bodies are capped at {@value #DEFAULT_BODY_LIMIT} bytes (413 beyond).
 */
public final class ApiServer extends VerticleBase {
    public static final int DEFAULT_BODY_LIMIT = 64 * 1024;
    public static final String OPENAPI_RESOURCE = "openapi.json";
    public static final String WEBROOT = "webroot";

    private final ControlPlane control;
    private final HttpSpec http;
    private final ApiAccess access;
    private final PrometheusMeterRegistry registry;
    private final LongSupplier eventsDropped;
    private final Labs labs;
    private volatile Fabric fabric;
    private volatile FabricRoutes fabricRoutes;
    private volatile Router router;
    private volatile HttpServer server;

    /**
     * @param labs          the agent's VM labs, brought up and down through {@code /labs}
     * @param eventsDropped datapath events lost because the event bus could not keep up
     */
    public ApiServer(ControlPlane control, Labs labs, HttpSpec http, ApiAccess access, PrometheusMeterRegistry registry,
                     LongSupplier eventsDropped) {
        this.control = control;
        this.labs = labs;
        this.http = http;
        this.access = access;
        this.registry = registry;
        this.eventsDropped = eventsDropped;
    }

    /** Makes the API answer for the whole fabric; call before deploying. */
    public void fabric(Fabric agentFabric) {
        this.fabric = agentFabric;
    }

    /** The routes, for the test that holds them against the OpenAPI document. */
    public Router router() {
        return router;
    }

    /** The port actually bound (differs from the configured one when that is 0). */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    /** The OpenAPI 3 document describing every route under {@code /api/v1}. */
    public static Buffer openApi() {
        try (InputStream in = ApiServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the agent's classpath");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Refuses a request body declared as anything but JSON with 415: a body sent as text or a form
     * was not meant for this API, and reading it as JSON anyway would hide the client's mistake.
     * A body without a Content-Type is read as JSON.
     */
    static void onlyJsonBodies(io.vertx.ext.web.RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        HttpMethod method = ctx.request().method();
        boolean hasBody = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
        if (hasBody && type != null) {
            String media = type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (!media.equals("application/json") && !media.endsWith("+json")) {
                Failures.send(ctx, 415, ApiError.of("Content-Type", "must be application/json, was '" + type + "'"));
                return;
            }
        }
        ctx.next();
    }

    @Override
    public Future<?> start() {
        Router r = Router.router(vertx);
        new SchemaRoutes().mount(r); // public, ahead of the token check: see SchemaRoutes
        if (access.required()) {
            BearerAuth auth = new BearerAuth(access.token());
            r.route("/api/*").handler(auth);
            r.route("/metrics").handler(auth);
        }
        // Before the body handler, which reads the request and so leaves nothing to upgrade.
        new ConsoleRoutes(labs).mount(r);
        r.route("/api/*").handler(ApiServer::onlyJsonBodies);
        r.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(DEFAULT_BODY_LIMIT));
        Buffer openApi = openApi();
        r.get("/api/v1/openapi.json").handler(ctx ->
                ctx.response().putHeader("Content-Type", "application/json").end(openApi));
        new SwitchRoutes(vertx, control, eventsDropped).mount(r);
        new PortRoutes(vertx, control).mount(r);
        new FdbRoutes(vertx, control).mount(r);
        new VlanRoutes(control).mount(r);
        new MirrorRoutes(vertx, control).mount(r);
        new CaptureRoutes(vertx, control).mount(r);
        new VmRoutes(vertx, labs).mount(r);
        new StatsRoutes(control, eventsDropped).mount(r);
        new TraceRoutes(vertx, control).mount(r);
        new EventStream(vertx).mount(r);
        fabricRoutes = new FabricRoutes(vertx, control, eventsDropped, fabric);
        fabricRoutes.mount(r);
        SwitchMeters meters = new SwitchMeters(registry, control.view());
        r.get("/metrics").handler(ctx -> {
            meters.sync();
            ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
        });
        StaticHandler files = StaticHandler.create(WEBROOT);
        r.route("/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(files);
        Failures failures = new Failures();
        r.route().failureHandler(failures);
        r.errorHandler(404, failures);
        r.errorHandler(405, failures);
        router = r;
        return vertx.createHttpServer(new HttpServerOptions().setHost(http.host()).setPort(http.port()))
                .requestHandler(r)
                .listen()
                .onSuccess(s -> server = s);
    }
}
