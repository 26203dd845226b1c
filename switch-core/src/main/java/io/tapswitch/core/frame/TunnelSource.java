package io.tapswitch.core.frame;

/**
 * Who sent a frame through a VXLAN tunnel, packed in a {@code long} so that the frame path can
 * carry it in {@link Frame#tunnelSource} without objects: a marker bit (so that no sender is ever
 * 0, which means "not from a tunnel"), the sender's IPv4 underlay address, and its UDP source port.
 *
 * <p>The switch attributes a frame to a remote VTEP by the address alone: a VTEP picks its UDP
 * source port per inner flow (RFC 7348 §5, a hash for load balancing), so the port says which flow,
 * not which VTEP. It is kept for traces and diagnostics.
 */
public final class TunnelSource {
    private static final long PRESENT = 1L << 48;

    private TunnelSource() {
    }

    /** The packed sender {@code address}:{@code port}; never 0. */
    public static long of(int address, int port) {
        return PRESENT | (address & 0xffffffffL) << 16 | (port & 0xffff);
    }

    /** The sender's IPv4 address (numeric) of a packed source. */
    public static int address(long source) {
        return (int) (source >>> 16);
    }

    /** The sender's UDP source port of a packed source. */
    public static int port(long source) {
        return (int) (source & 0xffff);
    }
}
