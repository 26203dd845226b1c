package io.tapswitch.core.engine;

/**
 * Why a frame went where it went. Every forwarding decision ends in exactly one of these, and each
 * is counted per ingress port, so that "why didn't my ping arrive" has an answer in the counters.
 *
 * <p>{@link #DROP_OFFLOAD_UNSUPPORTED} is the one reason no decision returns: whether a frame can
 * leave depends on the egress port, so it is found when sending, and counted per egress port
 * ({@link PortStats#txDrops}).
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
    DROP_OFFLOAD_UNSUPPORTED(true, "offloaded frame towards a port without offloads"),
    DROP_NO_EGRESS(true, "no other port to flood to");

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
}
