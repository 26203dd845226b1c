package io.tapswitch.agent.state;

/**
 * What the fabric asks of the tunnel endpoint: send a health probe to the VTEP behind one of the
 * switch's tunnel ports, and tell when probes last came back from it.
 */
public interface TunnelControl {
    /**
     * Sends a probe to the VTEP of tunnel port {@code port}; a full-size one fills the underlay MTU
     * and must not be fragmented. Does nothing when there is no such port.
     */
    void probe(String port, boolean fullSize, int seq);

    /** When answers last came back from the VTEP of {@code port}; zeros when never, or no such port. */
    ProbeTimes probeTimes(String port);

    /**
     * The answers to a tunnel's probes, as {@code System.nanoTime()} values (0 = never).
     *
     * @param lastSmall when the last small probe's answer came back
     * @param lastFull  when the last full-size probe's answer came back
     * @param rttNanos  the last small probe's round trip, 0 when unknown
     */
    record ProbeTimes(long lastSmall, long lastFull, long rttNanos) {
        public static final ProbeTimes NEVER = new ProbeTimes(0, 0, 0);
    }
}
