package io.tapswitch.agent;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.state.ConfigFile;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.core.engine.Switch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one switch inside Vert.x.
 *
 * <p>The verticle owns the switch's lifetime, not its frames: forwarding happens on the switch's
 * own threads, and opening devices runs on a worker thread, so no event loop ever blocks. Datapath
 * events reach the event bus through an {@link EventBridge}; committed configuration changes are
 * published on {@link Events#CONFIG}.
 */
public final class SwitchVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchVerticle.class);

    private final AgentConfig config;
    private final ConfigFile file;
    private final EventBridge events = new EventBridge();
    private volatile ControlPlane control;
    private CountersPublisher counters;

    /** @param file where API changes are persisted, or null to keep them in memory only */
    public SwitchVerticle(AgentConfig config, ConfigFile file) {
        this.config = config;
        this.file = file;
    }

    public SwitchVerticle(AgentConfig config) {
        this(config, null);
    }

    /** The running switch; null before start completes. */
    public Switch datapath() {
        ControlPlane c = control;
        return c == null ? null : c.datapath();
    }

    /** The switch's control plane; null before start completes. */
    public ControlPlane controlPlane() {
        return control;
    }

    /** Events the bridge dropped because the event bus could not keep up. */
    public long droppedEvents() {
        return events.dropped();
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> {
            ControlPlane c = ControlPlane.start(config, file, PortFactory::open, events, events,
                    s -> events.bind(s::topology), change ->
                    vertx.eventBus().publish(Events.CONFIG,
                            new JsonObject().put("revision", change.revision()).put("change", change.summary())));
            control = c;
            events.start(vertx);
            counters = new CountersPublisher(c.datapath());
            counters.start(vertx);
            LOG.info("switch {} running with {} ports", config.name(), config.ports().size());
            return c;
        }, false);
    }

    @Override
    public Future<?> stop() {
        if (counters != null) {
            counters.stop(vertx);
        }
        return vertx.executeBlocking(() -> {
            ControlPlane c = control;
            if (c != null) {
                c.close();
            }
            events.stop(vertx);
            return null;
        }, false);
    }
}
