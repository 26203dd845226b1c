package io.tapswitch.agent.state;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.core.port.Port;

/**
 * Opens the device behind a port. The agent opens real TAPs and netdevs; the seam exists so that
 * the control plane does not depend on how devices are made.
 */
@FunctionalInterface
public interface DeviceOpener {
    Port open(PortSpec spec) throws Exception;
}
