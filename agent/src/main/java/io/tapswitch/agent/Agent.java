package io.tapswitch.agent;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.core.engine.Switch;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The running agent: a Vert.x instance with the switch deployed in it. Used by the CLI, the demo
 * and in-process integration tests alike, so that what tests run is what users run.
 */
public final class Agent implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final SwitchVerticle verticle;
    private volatile boolean closed;

    private Agent(Vertx vertx, SwitchVerticle verticle) {
        this.vertx = vertx;
        this.verticle = verticle;
    }

    /** Starts the agent; on failure everything started so far is stopped and the cause thrown. */
    public static Agent start(AgentConfig config) throws Exception {
        Vertx vertx = Vertx.vertx();
        SwitchVerticle verticle = new SwitchVerticle(config);
        try {
            vertx.deployVerticle(verticle).await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            vertx.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw e;
        }
        return new Agent(vertx, verticle);
    }

    public Vertx vertx() {
        return vertx;
    }

    public Switch datapath() {
        return verticle.datapath();
    }

    /** Stops the switch (closing its ports) and Vert.x. Idempotent. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        vertx.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
