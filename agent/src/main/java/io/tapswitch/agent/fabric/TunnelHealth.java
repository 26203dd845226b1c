package io.tapswitch.agent.fabric;

/**
 * What the data plane says of the tunnel to a peer, from its health probes (sent every
 * {@link Fabric#PROBE_PERIOD_MILLIS} on a VNI only agents use): whether the cluster and the
 * tunnel agree is exactly what a user needs to see when "the cluster says B is there but UDP is
 * blocked", or when frames above some size vanish.
 */
public enum TunnelHealth {
    /** No probe has had time to come back yet. */
    UNKNOWN("unknown"),
    /** Small and full-size probes come back. */
    UP("up"),
    /** Nothing comes back. */
    DOWN("down"),
    /** Small probes come back but full-size ones (at the underlay MTU, never fragmented) do not. */
    MTU_BAD("mtu-bad");

    /** How long without an answer before a tunnel is {@link #DOWN} (or a size {@link #MTU_BAD}). */
    public static final long SILENCE_NANOS = 5_000_000_000L;

    private final String wireName;

    TunnelHealth(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * The health of a tunnel from its probe times (all {@code System.nanoTime()}, 0 = never).
     *
     * @param firstProbe when the first probe of this peer was sent
     * @param lastSmall  when the last small probe's answer came back
     * @param lastFull   when the last full-size probe's answer came back
     */
    public static TunnelHealth of(long now, long firstProbe, long lastSmall, long lastFull) {
        if (firstProbe == 0) {
            return UNKNOWN;
        }
        boolean young = now - firstProbe < SILENCE_NANOS;
        boolean small = lastSmall != 0 && now - lastSmall < SILENCE_NANOS;
        boolean full = lastFull != 0 && now - lastFull < SILENCE_NANOS;
        if (small) {
            return full || young ? UP : MTU_BAD;
        }
        return young ? UNKNOWN : DOWN;
    }
}
