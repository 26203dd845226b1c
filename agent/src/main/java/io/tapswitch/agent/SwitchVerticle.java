package io.tapswitch.agent;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.port.Port;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one switch inside Vert.x.
 *
 * <p>The verticle owns the switch's lifetime, not its frames: forwarding happens on the switch's
 * own threads, and opening devices runs on a worker thread, so no event loop ever blocks. Datapath
 * events reach the event bus through an {@link EventBridge}.
 */
public final class SwitchVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchVerticle.class);

    private final AgentConfig config;
    private final EventBridge events = new EventBridge();
    private volatile Switch sw;

    public SwitchVerticle(AgentConfig config) {
        this.config = config;
    }

    /** The running switch; null before start completes. */
    public Switch datapath() {
        return sw;
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> {
            SwitchOptions options = SwitchOptions.defaults()
                    .withName(config.name())
                    .withMacTableSize(config.macTableSize())
                    .withAgingMillis(config.agingSeconds() * 1000L);
            Switch s = new Switch(options, events, events);
            try {
                for (PortSpec spec : config.ports()) {
                    Port device = PortFactory.open(spec);
                    s.addPort(device, new PortConfig(spec.name(), spec.enabled()));
                }
            } catch (Exception e) {
                s.close();
                throw e;
            }
            sw = s;
            events.start(vertx, s::topology);
            LOG.info("switch {} running with {} ports", config.name(), config.ports().size());
            return s;
        }, false);
    }

    @Override
    public Future<?> stop() {
        return vertx.executeBlocking(() -> {
            Switch s = sw;
            if (s != null) {
                s.close();
            }
            events.stop(vertx);
            return null;
        }, false);
    }
}
