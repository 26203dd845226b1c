package io.tapswitch.core.sys;

/**
 * {@code linux/udp.h}: the UDP-level socket options for segmentation offload, kernel names kept.
 *
 * <p>{@link #UDP_SEGMENT} (Linux 4.18) lets one {@code sendmsg} carry many datagrams of one size
 * back to back: the kernel cuts the payload every {@code gso_size} bytes and sends the pieces as
 * separate datagrams with identical headers (the last may be shorter), so a sender pays one system
 * call and one trip through the stack for up to {@link #UDP_MAX_SEGMENTS} datagrams. It is given
 * per message as a control message of level {@link #SOL_UDP} holding a {@code uint16_t}.
 *
 * <p>{@link #UDP_GRO} (Linux 5.0) is the receiving half: with it set, the kernel may hand over a run
 * of datagrams of one UDP flow as one "datagram" of their concatenated payloads, and adds a control
 * message of the same type holding, as an {@code int}, the size they were cut at.
 */
public final class Udp {
    /** The level of UDP socket options and control messages ({@code IPPROTO_UDP}). */
    public static final int SOL_UDP = 17;
    public static final int UDP_SEGMENT = 103;
    public static final int UDP_GRO = 104;
    /**
     * The most datagrams one {@code UDP_SEGMENT} send may be cut into: 64 up to Linux 6.12, 128
     * since; the lower bound works everywhere.
     */
    public static final int UDP_MAX_SEGMENTS = 64;
    /** The most payload one UDP send over IPv4 can carry: 65535 less the IPv4 and UDP headers. */
    public static final int MAX_IPV4_PAYLOAD = 65535 - 20 - 8;

    private Udp() {
    }
}
