package io.tapswitch.core.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-VLAN counters: frames and bytes classified into each VLAN on ingress, and how many of them
 * were flooded. Indexed by VID (0 = untagged traffic of trunk ports). Written by every port thread
 * with atomic adds; one 4096-entry array per counter, so no lookup is needed.
 */
public final class VlanStats {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] packets = new long[4096];
    private final long[] bytes = new long[4096];
    private final long[] floods = new long[4096];

    void received(int vlan, int length) {
        LONGS.getAndAdd(packets, vlan, 1L);
        LONGS.getAndAdd(bytes, vlan, (long) length);
    }

    void flooded(int vlan) {
        LONGS.getAndAdd(floods, vlan, 1L);
    }

    public long packets(int vlan) {
        return (long) LONGS.getOpaque(packets, vlan);
    }

    public long bytes(int vlan) {
        return (long) LONGS.getOpaque(bytes, vlan);
    }

    public long floods(int vlan) {
        return (long) LONGS.getOpaque(floods, vlan);
    }

    /** VIDs that have seen traffic. */
    public int[] active() {
        return java.util.stream.IntStream.range(0, 4096).filter(v -> packets(v) != 0).toArray();
    }
}
