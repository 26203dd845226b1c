package io.tapswitch.core.port;

/** How a port reaches its network device. */
public enum PortKind {
    /** The switch owns the fd side of a TAP device. */
    TAP,
    /** An AF_PACKET socket on an existing interface (a TAP held by QEMU, a veth end, a NIC). */
    NETDEV,
    /** In-memory, for tests and the packet tracer. */
    MEMORY,
    /**
     * The host's VXLAN tunnel endpoint: one UDP socket that receives for every remote VTEP. Frames
     * read here are attributed to the port of the VTEP that sent them; it is never an egress.
     */
    TUNNEL,
    /** One remote VXLAN tunnel endpoint, reached through the host's {@link #TUNNEL} port. */
    VTEP
}
