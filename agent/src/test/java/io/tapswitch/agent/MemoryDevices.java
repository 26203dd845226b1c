package io.tapswitch.agent;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.state.DeviceOpener;
import io.tapswitch.core.port.MemoryPort;
import io.tapswitch.core.sys.In;
import io.tapswitch.core.tunnel.TunnelOptions;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens every port as an in-memory port, so that a whole agent (control plane, switch threads, API,
 * events) runs without root and without touching the kernel. A test injects frames into a port,
 * which the switch's own thread then reads and forwards, and reads back what the switch sent.
 *
 * <p>It stands in for the kernel's interfaces too, so that the rules about existing interfaces
 * ({@link SystemDevices#checkExistence}) hold as on a real machine: an interface exists when a test
 * declared it ({@link #exist}), while a port holds it open, and after that port closed if the port
 * kept it ('attach' or 'persistent'), as a TAP the switch created vanishes with its port.
 */
public final class MemoryDevices implements DeviceOpener {
    private final Map<String, MemoryPort> ports = new ConcurrentHashMap<>();
    private final Set<String> declared = ConcurrentHashMap.newKeySet();
    private final Set<String> kept = ConcurrentHashMap.newKeySet();

    @Override
    public MemoryPort open(PortSpec spec) {
        SystemDevices.checkExistence(spec, exists(spec.name()));
        MemoryPort port = switch (spec.kind()) {
            case TUNNEL -> MemoryPort.tunnelEndpoint(spec.name());
            case VTEP -> MemoryPort.vtep(spec.name(), In.address(TunnelOptions.parse(
                    spec.remote().substring(0, spec.remote().lastIndexOf(':'))).getAddress()));
            default -> new MemoryPort(spec.name());
        };
        if (spec.create() == PortSpec.CreateMode.ATTACH || spec.persistent()) {
            kept.add(spec.name());
        }
        ports.put(spec.name(), port);
        return port;
    }

    /** Tunnel ports are in-memory ports too: no socket is opened. */
    @Override
    public DeviceOpener forTunnel(TunnelOptions tunnel) {
        return this;
    }

    /** Whether an interface of that name exists now. */
    public boolean exists(String name) {
        MemoryPort port = ports.get(name);
        return declared.contains(name) || kept.contains(name) || port != null && !port.isClosed();
    }

    /** Declares interfaces that exist before any port opens them, as a veth or someone's TAP would. */
    public MemoryDevices exist(String... names) {
        declared.addAll(java.util.List.of(names));
        return this;
    }

    /** The port most recently opened under {@code name}. */
    public MemoryPort port(String name) {
        MemoryPort port = ports.get(name);
        if (port == null) {
            throw new IllegalArgumentException("no port named " + name + " was opened");
        }
        return port;
    }
}
