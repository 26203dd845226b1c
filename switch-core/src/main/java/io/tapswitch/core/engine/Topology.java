package io.tapswitch.core.engine;

import java.util.Arrays;

/**
 * An immutable snapshot of the switch's ports and their configuration.
 *
 * <p>The control plane builds a new one for every change and publishes it with one volatile write;
 * forwarding threads read the current one once per frame and never wait for the control plane.
 * Arrays are indexed by port id; {@link #ids} lists the ids in use, in the order floods visit them.
 */
public final class Topology {
    static final Topology EMPTY = new Topology(new SwitchPort[0], new PortConfig[0]);

    private final SwitchPort[] ports;
    private final PortConfig[] configs;
    private final int[] ids;

    private Topology(SwitchPort[] ports, PortConfig[] configs) {
        this.ports = ports;
        this.configs = configs;
        this.ids = java.util.stream.IntStream.range(0, ports.length).filter(i -> ports[i] != null).toArray();
    }

    public SwitchPort port(int id) {
        return id >= 0 && id < ports.length ? ports[id] : null;
    }

    public PortConfig config(int id) {
        return id >= 0 && id < configs.length ? configs[id] : null;
    }

    /** Ids of the ports present, in flooding order. */
    int[] ids() {
        return ids;
    }

    public int size() {
        return ids.length;
    }

    /** The id of the port named {@code name}, or -1. */
    public int idOf(String name) {
        for (int id : ids) {
            if (ports[id].name().equals(name)) {
                return id;
            }
        }
        return -1;
    }

    public java.util.List<SwitchPort> ports() {
        return Arrays.stream(ids).mapToObj(i -> ports[i]).toList();
    }

    Topology with(SwitchPort port, PortConfig config) {
        int n = Math.max(ports.length, port.id() + 1);
        SwitchPort[] p = Arrays.copyOf(ports, n);
        PortConfig[] c = Arrays.copyOf(configs, n);
        p[port.id()] = port;
        c[port.id()] = config;
        return new Topology(p, c);
    }

    Topology withConfig(int id, PortConfig config) {
        PortConfig[] c = configs.clone();
        c[id] = config;
        return new Topology(ports, c);
    }

    Topology without(int id) {
        SwitchPort[] p = ports.clone();
        PortConfig[] c = configs.clone();
        p[id] = null;
        c[id] = null;
        return new Topology(p, c);
    }

    /** The lowest id not in use. */
    int freeId() {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == null) {
                return i;
            }
        }
        return ports.length;
    }
}
