package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.StaticMacSpec;
import io.tapswitch.core.engine.PortListener;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.frame.MacAddress;

import java.util.function.Consumer;

/**
 * Builds the running switch a validated configuration describes, in the order its parts depend on
 * one another: ports with their VLAN settings, then mirrors (which name ports), then static
 * entries (which name ports by id). It is the one path that changes the switch without a
 * {@link Change}: at start there is nothing to check against, to undo or to persist.
 */
public final class SwitchBootstrap {
    private SwitchBootstrap() {
    }

    /**
     * Starts the switch {@code config} describes and hands it to a {@link ControlPlane}; on failure
     * everything opened so far is closed and the cause thrown.
     *
     * @param file    where changes are persisted; null when they are kept in memory only
     * @param created shown the switch, read-only, as soon as it exists and before any port is added
     *                (so that listeners can name the ports the next steps add)
     * @param changes told about every committed change
     */
    public static ControlPlane start(AgentConfig config, ConfigFile file, DeviceOpener opener, FdbListener fdbListener,
                                     PortListener portListener, Consumer<SwitchView> created,
                                     Consumer<ConfigChange> changes) throws Exception {
        SwitchOptions options = SwitchOptions.defaults()
                .withName(config.name())
                .withMacTableSize(config.macTableSize())
                .withAgingMillis(config.agingSeconds() * 1000L);
        Switch sw = new Switch(options, fdbListener, portListener);
        try {
            created.accept(new SwitchView(sw));
            for (PortSpec spec : config.ports()) {
                sw.addPort(opener.open(spec), spec.toPortConfig());
            }
            for (MirrorSpec m : config.mirrors()) {
                sw.addMirror(m.toMirrorConfig());
            }
            for (StaticMacSpec e : config.staticMacs()) {
                sw.fdb().addStatic(e.vlan(), MacAddress.parse(e.mac()), sw.topology().idOf(e.port()));
            }
        } catch (Exception e) {
            sw.close();
            throw e;
        }
        return new ControlPlane(sw, config, file, opener, changes);
    }
}
