package io.tapswitch.agent;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tapswitch.agent.api.ApiAccess;
import io.tapswitch.agent.api.ApiServer;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.state.ConfigFile;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.core.engine.Switch;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The running agent: a Vert.x instance with the switch and its control-plane API deployed in it.
 * Used by the CLI, the demo and in-process integration tests alike, so that what tests run is what
 * users run.
 */
public final class Agent implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final SwitchVerticle verticle;
    private final ApiServer api;
    private final ApiAccess access;
    private final String host;
    private volatile boolean closed;

    private Agent(Vertx vertx, SwitchVerticle verticle, ApiServer api, ApiAccess access, String host) {
        this.vertx = vertx;
        this.verticle = verticle;
        this.api = api;
        this.access = access;
        this.host = host;
    }

    /** Starts an agent whose API changes are kept in memory only. */
    public static Agent start(AgentConfig config) throws Exception {
        return start(config, null);
    }

    /**
     * Starts the agent; on failure everything started so far is stopped and the cause thrown.
     *
     * @param configFile the file {@code config} came from, rewritten on every API change; null to
     *                   keep changes in memory only
     */
    public static Agent start(AgentConfig config, Path configFile) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        SwitchVerticle verticle = new SwitchVerticle(config, configFile == null ? null : new ConfigFile(configFile));
        ApiAccess access = ApiAccess.of(config.http());
        try {
            await(vertx.deployVerticle(verticle));
            ApiServer api = new ApiServer(verticle.controlPlane(), config.http(), access, registry, verticle::droppedEvents);
            await(vertx.deployVerticle(api));
            api.labs().resume();
            return new Agent(vertx, verticle, api, access, config.http().host());
        } catch (Exception e) {
            vertx.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    private static void await(io.vertx.core.Future<?> f) throws Exception {
        f.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Vertx vertx() {
        return vertx;
    }

    public Switch datapath() {
        return verticle.datapath();
    }

    public ControlPlane controlPlane() {
        return verticle.controlPlane();
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

    /** Brings down the VM labs started through the API, then stops the API, the switch (closing its ports) and Vert.x. Idempotent. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        api.labs().close();
        vertx.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
