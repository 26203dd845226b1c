package io.tapswitch.core.port;

/** How a port reaches its network device. */
public enum PortKind {
    /** The switch owns the fd side of a TAP device. */
    TAP,
    /** An AF_PACKET socket on an existing interface (a TAP held by QEMU, a veth end, a NIC). */
    NETDEV,
    /** In-memory, for tests and the packet tracer. */
    MEMORY
}
