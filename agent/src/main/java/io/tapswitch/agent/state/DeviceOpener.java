package io.tapswitch.agent.state;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.tunnel.TunnelOptions;

/**
 * Opens the device behind a port. The agent opens real TAPs and netdevs; the seam exists so that
 * the control plane does not depend on how devices are made, and so that tests can run a whole
 * agent on in-memory ports.
 */
@FunctionalInterface
public interface DeviceOpener {
    Port open(PortSpec spec) throws Exception;

    /**
     * An opener that also opens the ports of a VXLAN tunnel with {@code tunnel}'s settings (the
     * endpoint, and a port per remote VTEP). By default the kernel's: real sockets through
     * {@link TunnelDevices}; an opener that stands in for the kernel stands in for those too.
     */
    default DeviceOpener forTunnel(TunnelOptions tunnel) {
        return new TunnelDevices(this, tunnel);
    }
}
