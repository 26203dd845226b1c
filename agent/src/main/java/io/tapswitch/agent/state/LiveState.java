package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.FieldError;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.port.Port;

import java.util.List;

/**
 * What a {@link Change} is checked against and applied to: the committed configuration and the
 * running switch. Only the control plane makes one, while it holds its lock, so a change sees
 * exactly the state the previous change left.
 */
public final class LiveState {
    private final Revision current;
    private final Switch sw;
    private final DeviceOpener opener;

    LiveState(Revision current, Switch sw, DeviceOpener opener) {
        this.current = current;
        this.sw = sw;
        this.opener = opener;
    }

    AgentConfig config() {
        return current.config();
    }

    TransientPorts transientPorts() {
        return current.transientPorts();
    }

    Switch sw() {
        return sw;
    }

    List<String> portNames() {
        return config().ports().stream().map(PortSpec::name).toList();
    }

    PortSpec requirePort(String name) {
        return ControlPlane.requirePort(config(), name);
    }

    MirrorSpec requireMirror(String name) {
        return ControlPlane.requireMirror(config(), name);
    }

    /** Opens the device of {@code spec} and adds it to the switch, or fails leaving nothing behind. */
    void attach(PortSpec spec) {
        Port device;
        try {
            device = opener.open(spec);
        } catch (Exception e) {
            throw new ConflictException("cannot open the device of port '" + spec.name() + "': " + e.getMessage());
        }
        try {
            sw.addPort(device, spec.toPortConfig());
        } catch (Exception e) {
            throw new ConflictException("cannot add port '" + spec.name() + "': " + e.getMessage());
        }
    }

    static void invalidIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
    }
}
