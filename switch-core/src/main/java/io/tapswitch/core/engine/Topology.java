package io.tapswitch.core.engine;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An immutable snapshot of the switch's ports and their configuration.
 *
 * <p>The control plane builds a new one for every change and publishes it with one volatile write;
 * forwarding threads read the current one once per frame and never wait for the control plane.
 * Arrays are indexed by port id; {@link #ids} lists the ids in use, in the order floods visit them.
 */
public final class Topology {
    static final Topology EMPTY = new Topology(new SwitchPort[0], new PortConfig[0], java.util.List.of(), Map.of());

    private final SwitchPort[] ports;
    private final PortConfig[] configs;
    private final int[] ids;
    private final Mirror[] mirrors;
    /** By port id: the port is a mirror output and takes no part in normal forwarding. */
    private final boolean[] mirrorOutput;

    private Topology(SwitchPort[] ports, PortConfig[] configs, java.util.List<MirrorConfig> mirrorConfigs,
                     Map<String, Mirror.Counters> counters) {
        this.ports = ports;
        this.configs = configs;
        this.ids = java.util.stream.IntStream.range(0, ports.length).filter(i -> ports[i] != null).toArray();
        this.mirrors = new Mirror[mirrorConfigs.size()];
        this.mirrorOutput = new boolean[ports.length];
        for (int i = 0; i < mirrors.length; i++) {
            MirrorConfig mc = mirrorConfigs.get(i);
            mirrors[i] = new Mirror(mc, i, this, counters.getOrDefault(mc.name(), new Mirror.Counters()));
            if (mirrors[i].outputPort >= 0) {
                mirrorOutput[mirrors[i].outputPort] = true;
            }
        }
    }

    private Topology rebuild(SwitchPort[] p, PortConfig[] c, java.util.List<MirrorConfig> m) {
        Map<String, Mirror.Counters> counters = new HashMap<>();
        for (Mirror mirror : mirrors) {
            counters.put(mirror.config.name(), mirror.counters);
        }
        return new Topology(p, c, m, counters);
    }

    /** Length of the per-port arrays (highest id + 1). */
    int capacity() {
        return ports.length;
    }

    Mirror[] mirrors() {
        return mirrors;
    }

    public java.util.List<MirrorConfig> mirrorConfigs() {
        return Arrays.stream(mirrors).map(m -> m.config).toList();
    }

    /** Whether port {@code id} is the output of a SPAN mirror. */
    public boolean isMirrorOutput(int id) {
        return id >= 0 && id < mirrorOutput.length && mirrorOutput[id];
    }

    Mirror.Counters mirrorCounters(String name) {
        for (Mirror m : mirrors) {
            if (m.config.name().equals(name)) {
                return m.counters;
            }
        }
        return null;
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
        return rebuild(p, c, mirrorConfigs());
    }

    Topology withConfig(int id, PortConfig config) {
        PortConfig[] c = configs.clone();
        c[id] = config;
        return rebuild(ports, c, mirrorConfigs());
    }

    Topology without(int id) {
        SwitchPort[] p = ports.clone();
        PortConfig[] c = configs.clone();
        p[id] = null;
        c[id] = null;
        return rebuild(p, c, mirrorConfigs());
    }

    Topology withMirrors(java.util.List<MirrorConfig> newMirrors) {
        return rebuild(ports, configs, java.util.List.copyOf(newMirrors));
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
