package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * Which ports belong to a VM lab rather than to the configuration file, immutable.
 *
 * <p>A lab's ports live only as long as the lab: their TAPs vanish when it goes down, so writing
 * them to the file would make the next start fail on a device that no longer exists. They, and the
 * mirrors and static entries that name them, show in the running configuration like any other but
 * are left out of what is persisted ({@link #persistable}).
 */
public final class LabPorts {
    public static final LabPorts NONE = new LabPorts(Map.of());

    private final Map<String, String> labOfPort;

    private LabPorts(Map<String, String> labOfPort) {
        this.labOfPort = labOfPort;
    }

    /** The lab port {@code port} belongs to, or null for a port of the configuration. */
    public String labOf(String port) {
        return labOfPort.get(port);
    }

    /** These lab ports and {@code port}, of lab {@code lab}. */
    public LabPorts with(String port, String lab) {
        Map<String, String> next = new HashMap<>(labOfPort);
        next.put(port, lab);
        return new LabPorts(Map.copyOf(next));
    }

    /** These lab ports without {@code port}; this object when it is not one. */
    public LabPorts without(String port) {
        if (!labOfPort.containsKey(port)) {
            return this;
        }
        Map<String, String> next = new HashMap<>(labOfPort);
        next.remove(port);
        return new LabPorts(Map.copyOf(next));
    }

    /** {@code config} without lab ports and what refers to them: what the configuration file holds. */
    public AgentConfig persistable(AgentConfig config) {
        if (labOfPort.isEmpty()) {
            return config;
        }
        return config.withPorts(config.ports().stream().filter(p -> !labOfPort.containsKey(p.name())).toList())
                .withMirrors(config.mirrors().stream()
                        .filter(m -> m.portNames().stream().noneMatch(labOfPort::containsKey)).toList())
                .withStaticMacs(config.staticMacs().stream().filter(e -> !labOfPort.containsKey(e.port())).toList());
    }
}
