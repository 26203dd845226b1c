package io.tapswitch.agent.fabric;

import io.tapswitch.agent.state.TunnelControl;

/**
 * One other agent of the fabric as this one knows it: its latest advert, whether the cluster counts
 * it as a member, and its tunnel's health. Confined to the fabric's event-loop context.
 */
final class Peer {
    /** Where a peer stands, as the API shows it. */
    enum State {
        /** Announced and reachable: its VTEP is in the flood lists. */
        UP("up"),
        /** The cluster lost it but its tunnel still answers (a control-plane partition): forwarding goes on. */
        PARTITIONED("partitioned"),
        /** Gone from the cluster and silent on the tunnel: out of the flood lists, its MACs flushed. */
        DOWN("down");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }
    }

    final String hostId;
    HostAdvert advert;
    long lastAdvertNanos;
    boolean member = true;
    long firstProbeNanos;
    TunnelHealth health = TunnelHealth.UNKNOWN;
    TunnelControl.ProbeTimes probes = TunnelControl.ProbeTimes.NEVER;
    State state = State.UP;
    long downSinceNanos;
    /** The switch port of its VTEP, once added; null while it has none. */
    String port;
    /** The VLANs that port carries now ("" with {@code allVlans}: all). */
    boolean portAllVlans;
    String portVlans;

    Peer(String hostId) {
        this.hostId = hostId;
    }
}
