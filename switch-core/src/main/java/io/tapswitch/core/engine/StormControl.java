package io.tapswitch.core.engine;

/**
 * Storm control: per-port rate limits, in frames per second, on the traffic a switch floods.
 *
 * <p>A loop made outside the switch (two ports bridged by a host) turns every broadcast into an
 * endless storm; limiting what each port may make the switch flood keeps the other ports and the
 * control plane alive, and forwarding resumes by itself once the loop is gone.
 *
 * @param broadcastPps        broadcast frames per second accepted for flooding (0 = no limit)
 * @param multicastPps        multicast frames per second (0 = no limit)
 * @param unknownUnicastPps   unknown-unicast frames per second (0 = no limit)
 */
public record StormControl(int broadcastPps, int multicastPps, int unknownUnicastPps) {
    public static final StormControl NONE = new StormControl(0, 0, 0);

    public StormControl {
        check("broadcastPps", broadcastPps);
        check("multicastPps", multicastPps);
        check("unknownUnicastPps", unknownUnicastPps);
    }

    private static void check(String field, int pps) {
        if (pps < 0 || pps > 100_000_000) {
            throw new IllegalArgumentException(field + ": must be 0 (no limit) to 100000000, was " + pps);
        }
    }

    public boolean enabled() {
        return broadcastPps > 0 || multicastPps > 0 || unknownUnicastPps > 0;
    }
}
