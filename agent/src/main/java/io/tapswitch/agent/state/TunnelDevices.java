package io.tapswitch.agent.state;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.tunnel.TunnelEndpoint;
import io.tapswitch.core.tunnel.TunnelOptions;

import java.net.Inet4Address;

/**
 * Opens the ports of a VXLAN tunnel: the endpoint itself (its UDP and raw sockets, opened once) and
 * one port per remote VTEP, made by that endpoint; every other port goes to the local device
 * opener. An agent with a {@code vxlan} section opens its devices through one of these.
 */
public final class TunnelDevices implements DeviceOpener {
    private final DeviceOpener local;
    private final TunnelOptions options;
    private volatile TunnelEndpoint endpoint;

    public TunnelDevices(DeviceOpener local, TunnelOptions options) {
        this.local = local;
        this.options = options;
    }

    @Override
    public Port open(PortSpec spec) throws Exception {
        return switch (spec.kind()) {
            case TUNNEL -> openEndpoint(spec.name());
            case VTEP -> {
                TunnelEndpoint e = endpoint;
                if (e == null) {
                    throw new IllegalStateException("the tunnel endpoint is not open: no vtep port before it");
                }
                String remote = spec.remote();
                int colon = remote.lastIndexOf(':');
                Inet4Address address = TunnelOptions.parse(remote.substring(0, colon));
                yield e.peer(spec.name(), address, Integer.parseInt(remote.substring(colon + 1)));
            }
            default -> local.open(spec);
        };
    }

    private synchronized TunnelEndpoint openEndpoint(String name) throws Exception {
        if (endpoint != null) {
            throw new IllegalStateException("the tunnel endpoint is already open as port " + endpoint.name());
        }
        endpoint = TunnelEndpoint.open(name, options);
        return endpoint;
    }

    @Override
    public DeviceOpener forTunnel(TunnelOptions tunnel) {
        return this;
    }
}
