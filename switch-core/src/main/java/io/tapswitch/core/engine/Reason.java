package io.tapswitch.core.engine;

import io.tapswitch.core.port.Refusal;

/**
 * Why a frame went where it went. Every forwarding decision ends in exactly one of these, and each
 * is counted per ingress port, so that "why didn't my ping arrive" has an answer in the counters.
 *
 * <p>Some reasons are found only when sending, because whether a frame can leave depends on the
 * egress port: {@link #DROP_OFFLOAD_UNSUPPORTED}, {@link #DROP_VLAN_NOT_MAPPED} and
 * {@link #DROP_TOO_BIG_FOR_UNDERLAY}. No decision returns them; they are counted per egress port
 * ({@link PortStats#txDrops}). The tunnel's receive-side reasons ({@link #DROP_MALFORMED_VXLAN},
 * {@link #DROP_UNKNOWN_VNI}, {@link #DROP_UNKNOWN_VTEP}) are decisions of the tunnel endpoint's port.
 * A link impairment's drops ({@link #DROP_IMPAIR_LOSS}, {@link #DROP_IMPAIR_QUEUE_FULL}) are decisions
 * of the port on ingress and tx drops on egress; {@link #HELD_BY_IMPAIRMENT} is what processing a frame
 * an ingress impairment queued returns, never counted: the frame is decided when it is released.
 */
public enum Reason {
    FORWARD_UNICAST(false, "destination learned on one port"),
    FLOOD_UNKNOWN_UNICAST(false, "no learned port for destination, flooding"),
    FLOOD_BROADCAST(false, "broadcast destination, flooding"),
    FLOOD_MULTICAST(false, "multicast destination, flooding"),

    DROP_PORT_DISABLED(true, "ingress port is administratively down"),
    DROP_TRUNCATED(true, "frame shorter than an Ethernet header"),
    DROP_MIRROR_OUTPUT(true, "frame received on a mirror output port"),
    DROP_VLAN_TAGGED_ON_ACCESS(true, "tagged frame (nonzero VID) on an access port"),
    DROP_VLAN_NOT_ALLOWED(true, "VLAN not allowed on the ingress port"),
    DROP_VLAN_RESERVED(true, "VID 4095 is reserved"),
    DROP_VLAN_TRUNCATED(true, "VLAN tag cut short"),
    DROP_VLAN_UNTAGGED_NOT_ALLOWED(true, "untagged frame on a port without a VLAN for it"),
    DROP_BAD_SOURCE(true, "source MAC is multicast, broadcast or zero"),
    DROP_RESERVED_MULTICAST(true, "destination is a bridge-reserved address 01:80:c2:00:00:0x"),
    DROP_HAIRPIN(true, "destination learned on the ingress port"),
    DROP_PORT_SECURITY(true, "source is a new station beyond the port's MAC limit"),
    DROP_STORM_CONTROL(true, "flood rate limit of the ingress port exceeded"),
    DROP_EGRESS_DOWN(true, "destination port is down"),
    DROP_OFFLOAD_UNSUPPORTED(true, "offloaded frame that cannot be segmented or completed in software"),
    DROP_NO_EGRESS(true, "no other port to flood to"),
    DROP_MALFORMED_VXLAN(true, "datagram on the tunnel port that is no valid VXLAN"),
    DROP_UNKNOWN_VNI(true, "VXLAN datagram whose VNI maps to no VLAN"),
    DROP_UNKNOWN_VTEP(true, "VXLAN datagram from an address that is no VTEP port's"),
    DROP_SPLIT_HORIZON(true, "frame from a remote VTEP towards another VTEP (split horizon)"),
    DROP_VLAN_NOT_MAPPED(true, "frame's VLAN maps to no VNI on the VTEP port"),
    DROP_TOO_BIG_FOR_UNDERLAY(true, "frame too big for the underlay MTU once encapsulated"),
    DROP_IMPAIR_LOSS(true, "lost on purpose by the port's link impairment"),
    DROP_IMPAIR_QUEUE_FULL(true, "no room in the port's impairment queue (delay or rate)"),
    HELD_BY_IMPAIRMENT(false, "held back by the ingress port's link impairment, decided when released");

    private final boolean drop;
    private final String description;

    Reason(boolean drop, String description) {
        this.drop = drop;
        this.description = description;
    }

    public boolean isDrop() {
        return drop;
    }

    public String description() {
        return description;
    }

    private static final Reason[] VALUES = values();

    public static int count() {
        return VALUES.length;
    }

    public static Reason of(int ordinal) {
        return VALUES[ordinal];
    }

    /** The reason a port's own {@link Refusal} of a frame is counted under. */
    public static Reason of(Refusal refusal) {
        return switch (refusal) {
            case UNKNOWN_VNI -> DROP_UNKNOWN_VNI;
            case MALFORMED_VXLAN -> DROP_MALFORMED_VXLAN;
            case VLAN_NOT_MAPPED -> DROP_VLAN_NOT_MAPPED;
            case TOO_BIG_FOR_UNDERLAY -> DROP_TOO_BIG_FOR_UNDERLAY;
            case OFFLOAD_UNSUPPORTED -> DROP_OFFLOAD_UNSUPPORTED;
        };
    }
}
