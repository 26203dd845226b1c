package io.tapswitch.agent;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.event.CountersPublisher;
import io.tapswitch.agent.event.EventBridge;
import io.tapswitch.agent.event.Events;
import io.tapswitch.agent.state.ConfigFile;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.SwitchBootstrap;
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
final class SwitchVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchVerticle.class);

    private final AgentConfig config;
    private final AgentOptions options;
    private final String hostId;
    private final EventBridge events;
    private volatile ControlPlane control;
    private CountersPublisher counters;

    /** @param hostId this host's id in a fabric, put in its events; null for an agent that runs alone */
    SwitchVerticle(AgentConfig config, AgentOptions options, String hostId) {
        this.config = config;
        this.options = options;
        this.hostId = hostId;
        this.events = new EventBridge(hostId);
    }

    /** The switch's control plane; null before start completes. */
    ControlPlane controlPlane() {
        return control;
    }

    /** Events the bridge dropped because the event bus could not keep up. */
    long droppedEvents() {
        return events.dropped();
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> {
            ConfigFile file = options.configFile() == null ? null : new ConfigFile(options.configFile());
            ControlPlane c = SwitchBootstrap.start(config, file, options.deviceOpener(), events, events,
                    s -> events.bind(s::topology), change ->
                    vertx.eventBus().publish(Events.CONFIG, configEvent(change.revision(), change.summary())));
            control = c;
            events.start(vertx);
            counters = new CountersPublisher(c.view()::topology, hostId);
            counters.start(vertx);
            LOG.info("switch {} running with {} ports", config.name(), config.ports().size());
            return c;
        }, false);
    }

    private JsonObject configEvent(long revision, String summary) {
        JsonObject json = new JsonObject().put("revision", revision).put("change", summary);
        return hostId == null ? json : json.put("host", hostId);
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
