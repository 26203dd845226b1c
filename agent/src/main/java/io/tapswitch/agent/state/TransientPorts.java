package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * Which ports live outside the configuration file's {@code ports} list, and who owns them,
 * immutable: the ports of a VM lab (owner {@code "lab NAME"}), and the tunnel ports of the VXLAN
 * endpoint and its peers (owner {@code "vxlan"} for static VTEPs, {@code "fabric"} for the agents
 * the cluster announces).
 *
 * <p>These ports live only as long as their owner: a lab's TAPs vanish when it goes down, and a
 * peer's port when the peer leaves; static VTEPs are written in the {@code vxlan} section instead.
 * Writing them to {@code ports} would make the next start fail on a device that no longer exists,
 * or start a tunnel to a host that is gone. They, and the mirrors and static entries that name them,
 * show in the running configuration like any other but are left out of what is persisted
 * ({@link #persistable}).
 */
public final class TransientPorts {
    public static final TransientPorts NONE = new TransientPorts(Map.of());
    /**
     * The owner of ports added through the API as transient ({@code POST /ports?transient=true}), as
     * the {@code qemu-ifup} script adds the TAP QEMU made: they go when their device goes.
     */
    public static final String API_OWNER = "api";

    private final Map<String, String> ownerOfPort;

    private TransientPorts(Map<String, String> ownerOfPort) {
        this.ownerOfPort = ownerOfPort;
    }

    /** Who port {@code port} belongs to, or null for a port of the configuration file. */
    public String ownerOf(String port) {
        return ownerOfPort.get(port);
    }

    /** The ports {@code owner} holds. */
    public java.util.Set<String> portsOf(String owner) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        ownerOfPort.forEach((port, o) -> {
            if (o.equals(owner)) {
                out.add(port);
            }
        });
        return out;
    }

    /** These ports and {@code port}, owned by {@code owner}. */
    public TransientPorts with(String port, String owner) {
        Map<String, String> next = new HashMap<>(ownerOfPort);
        next.put(port, owner);
        return new TransientPorts(Map.copyOf(next));
    }

    /** These ports without {@code port}; this object when it is not one. */
    public TransientPorts without(String port) {
        if (!ownerOfPort.containsKey(port)) {
            return this;
        }
        Map<String, String> next = new HashMap<>(ownerOfPort);
        next.remove(port);
        return new TransientPorts(Map.copyOf(next));
    }

    /** {@code config} without transient ports and what refers to them: what the configuration file holds. */
    public AgentConfig persistable(AgentConfig config) {
        if (ownerOfPort.isEmpty()) {
            return config;
        }
        return config.withPorts(config.ports().stream().filter(p -> !ownerOfPort.containsKey(p.name())).toList())
                .withMirrors(config.mirrors().stream()
                        .filter(m -> m.portNames().stream().noneMatch(ownerOfPort::containsKey)).toList())
                .withStaticMacs(config.staticMacs().stream().filter(e -> !ownerOfPort.containsKey(e.port())).toList());
    }
}
