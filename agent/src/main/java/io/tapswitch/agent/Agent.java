package io.tapswitch.agent;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tapswitch.agent.api.ApiAccess;
import io.tapswitch.agent.api.ApiServer;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.agent.vm.Labs;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The running agent: a Vert.x instance with the switch, its control plane, its VM labs and its API.
 * The CLI, the demo and the integration tests all start agents through {@link #start}, so that what
 * tests run is what users run.
 *
 * <p>The agent owns what it starts and stops it in reverse: the labs go down first (their guests'
 * ports are switch ports), then the API, then the switch, whose ports close and remove the TAPs it
 * created.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final ControlPlane control;
    private final Labs labs;
    private final ApiServer api;
    private final ApiAccess access;
    private final String host;
    private volatile boolean closed;

    private Agent(Vertx vertx, ControlPlane control, Labs labs, ApiServer api, ApiAccess access, String host) {
        this.vertx = vertx;
        this.control = control;
        this.labs = labs;
        this.api = api;
        this.access = access;
        this.host = host;
    }

    /** Starts an agent with default options: real devices, changes kept in memory. */
    public static Agent start(AgentConfig config) throws Exception {
        return start(config, new AgentOptions());
    }

    /**
     * Starts the agent: the switch {@code config} describes, the API, and the labs a killed agent
     * left running (re-attached). On failure everything started so far is stopped and the cause thrown.
     */
    public static Agent start(AgentConfig config, AgentOptions options) throws Exception {
        AgentOptions opts = new AgentOptions(options);
        HttpSpec http = opts.http() != null ? opts.http() : config.http();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        SwitchVerticle verticle = new SwitchVerticle(config, opts);
        ApiAccess access = ApiAccess.of(http);
        Labs labs = null;
        try {
            await(vertx.deployVerticle(verticle));
            ControlPlane control = verticle.controlPlane();
            labs = new Labs(control, opts.labStateDirectory(), opts.qemuBinary());
            ApiServer api = new ApiServer(control, labs, http, access, registry, verticle::droppedEvents);
            await(vertx.deployVerticle(api));
            labs.resume();
            return new Agent(vertx, control, labs, api, access, http.host());
        } catch (Exception e) {
            if (labs != null) {
                labs.close();
            }
            vertx.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The one door to the switch: every change goes through it. */
    public ControlPlane controlPlane() {
        return control;
    }

    /** The running switch, read-only. */
    public SwitchView view() {
        return control.view();
    }

    /** The VM labs this agent runs. */
    public Labs labs() {
        return labs;
    }

    public ApiServer api() {
        return api;
    }

    /** Who may use the API; holds the token to show the operator when one was generated. */
    public ApiAccess access() {
        return access;
    }

    /** The API's base URL, like {@code http://127.0.0.1:8080}. */
    public String apiUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "http://" + h + ":" + api.actualPort();
    }

    /** Brings down the VM labs, then stops the API, the switch (closing its ports) and Vert.x. Idempotent. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            labs.close();
        } catch (RuntimeException e) {
            LOG.warn("bringing the labs down failed: {}", e.getMessage());
        }
        vertx.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
