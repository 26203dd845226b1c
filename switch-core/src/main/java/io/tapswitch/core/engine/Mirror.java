package io.tapswitch.core.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A mirror resolved against one topology: port names turned into ids, so that selecting a frame
 * costs an array lookup. Selected ports are kept by name: a port removed and added again is
 * selected again. Counters live in {@link Counters}, carried over when the topology changes.
 */
final class Mirror {
    final MirrorConfig config;
    final int index;
    final boolean[] src;
    final boolean[] dst;
    /** Output port id, or -1 for RSPAN. */
    final int outputPort;
    final Counters counters;

    Mirror(MirrorConfig config, int index, Topology topology, Counters counters) {
        this.config = config;
        this.index = index;
        this.counters = counters;
        int n = Math.max(1, topology.capacity());
        this.src = new boolean[n];
        this.dst = new boolean[n];
        for (String name : config.srcPorts()) {
            int id = topology.idOf(name);
            if (id >= 0) {
                src[id] = true;
            }
        }
        for (String name : config.dstPorts()) {
            int id = topology.idOf(name);
            if (id >= 0) {
                dst[id] = true;
            }
        }
        this.outputPort = config.outputPort() == null ? -1 : topology.idOf(config.outputPort());
    }

    /** Selected when the frame enters: by ingress port, by VLAN, or everything. */
    boolean selectsIngress(int inPort, int vlan) {
        return config.all() || (inPort < src.length && src[inPort]) || config.vlans().contains(vlan);
    }

    boolean selectsEgress(int outPort) {
        return outPort < dst.length && dst[outPort];
    }

    /** Frames copied and copies that could not be sent, per mirror, across topology changes. */
    static final class Counters {
        private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
        private final long[] values = new long[2];

        void copied() {
            LONGS.getAndAdd(values, 0, 1L);
        }

        void failed() {
            LONGS.getAndAdd(values, 1, 1L);
        }

        long copiedCount() {
            return (long) LONGS.getOpaque(values, 0);
        }

        long failedCount() {
            return (long) LONGS.getOpaque(values, 1);
        }
    }
}
