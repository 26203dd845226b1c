package io.tapswitch.core.engine;

import io.tapswitch.core.port.PortKind;

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
    /** By port id: the port stands for a remote VTEP ({@link PortKind#VTEP}); split horizon applies. */
    private final boolean[] vtep;
    /** By port id: the port is a tunnel endpoint ({@link PortKind#TUNNEL}): it reads for VTEP ports, never an egress. */
    private final boolean[] tunnelEndpoint;
    /** Underlay addresses of the VTEP ports, sorted (as unsigned), and their port ids at the same index. */
    private final int[] vtepAddresses;
    private final int[] vtepIds;

    private Topology(SwitchPort[] ports, PortConfig[] configs, java.util.List<MirrorConfig> mirrorConfigs,
                     Map<String, Mirror.Counters> counters) {
        this.ports = ports;
        this.configs = configs;
        this.ids = java.util.stream.IntStream.range(0, ports.length).filter(i -> ports[i] != null).toArray();
        this.mirrors = new Mirror[mirrorConfigs.size()];
        this.mirrorOutput = new boolean[ports.length];
        this.vtep = new boolean[ports.length];
        this.tunnelEndpoint = new boolean[ports.length];
        long[] byAddress = new long[ids.length];
        int vteps = 0;
        for (int id : ids) {
            PortKind kind = ports[id].device().kind();
            tunnelEndpoint[id] = kind == PortKind.TUNNEL;
            vtep[id] = kind == PortKind.VTEP;
            if (vtep[id] && ports[id].device().vtepAddress() != 0) {
                byAddress[vteps++] = (ports[id].device().vtepAddress() & 0xffffffffL) << 32 | id;
            }
        }
        // Sorted by address then id: a lookup finds the lowest id of an address, whichever came first.
        Arrays.sort(byAddress, 0, vteps);
        this.vtepAddresses = new int[vteps];
        this.vtepIds = new int[vteps];
        for (int i = 0; i < vteps; i++) {
            vtepAddresses[i] = (int) (byAddress[i] >>> 32);
            vtepIds[i] = (int) byAddress[i];
        }
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

    /** Whether port {@code id} stands for a remote VTEP. */
    public boolean isVtep(int id) {
        return id >= 0 && id < vtep.length && vtep[id];
    }

    /** Whether port {@code id} is a tunnel endpoint (never an egress, never learned on). */
    public boolean isTunnelEndpoint(int id) {
        return id >= 0 && id < tunnelEndpoint.length && tunnelEndpoint[id];
    }

    /**
     * The id of the VTEP port whose remote endpoint has underlay address {@code address}, or -1.
     * A binary search over a sorted array: the frame path asks for every frame a tunnel delivers.
     */
    public int vtepPort(int address) {
        long key = address & 0xffffffffL;
        int lo = 0;
        int hi = vtepAddresses.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long at = vtepAddresses[mid] & 0xffffffffL;
            if (at < key) {
                lo = mid + 1;
            } else if (at > key || (mid > lo && (vtepAddresses[mid - 1] & 0xffffffffL) == key)) {
                hi = mid - 1;
            } else {
                return vtepIds[mid];
            }
        }
        return -1;
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
