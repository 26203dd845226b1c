package io.tapswitch.core.tunnel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * How a host's VXLAN tunnel endpoint is set up, immutable.
 *
 * @param local       the underlay IPv4 address the endpoint receives on and sends from (0.0.0.0
 *                    receives on every address and lets routing pick the source; a fabric binds
 *                    the underlay address only)
 * @param port        the UDP port it listens on and sends to unless a peer says otherwise (default
 *                    {@value #DEFAULT_PORT}; labs that share a host with a kernel vxlan device or
 *                    Open vSwitch, which hold 4789, use another)
 * @param underlayMtu the IP MTU of the underlay (default {@value #DEFAULT_UNDERLAY_MTU}); every
 *                    datagram is sent with DF, so an inner frame may be at most this minus
 *                    {@value #ENCAPSULATION} bytes long
 * @param vnis        which VNI carries which VLAN
 */
public record TunnelOptions(Inet4Address local, int port, int underlayMtu, VniMap vnis) {
    public static final int DEFAULT_PORT = 4789;
    public static final int DEFAULT_UNDERLAY_MTU = 1500;
    /** The smallest underlay MTU accepted: IPv4's minimum datagram every host must take. */
    public static final int MIN_UNDERLAY_MTU = 576;
    public static final int MAX_UNDERLAY_MTU = 65535;
    /**
     * Bytes VXLAN puts around an inner Ethernet frame in an IPv4 datagram: IP 20, UDP 8, VXLAN 8.
     * (The "50 bytes of overhead" usually quoted adds the inner frame's own 14-byte header: on a
     * 1500-byte underlay the inner frame carries at most 1450 bytes of payload.)
     */
    public static final int ENCAPSULATION = 36;

    public TunnelOptions {
        if (local == null) {
            throw new IllegalArgumentException("local: an underlay IPv4 address is required");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " is outside 1-65535");
        }
        if (underlayMtu < MIN_UNDERLAY_MTU || underlayMtu > MAX_UNDERLAY_MTU) {
            throw new IllegalArgumentException("underlayMtu: " + underlayMtu + " is outside " + MIN_UNDERLAY_MTU + "-"
                    + MAX_UNDERLAY_MTU);
        }
        if (vnis == null) {
            vnis = VniMap.defaults();
        }
    }

    /** Port {@value #DEFAULT_PORT}, MTU {@value #DEFAULT_UNDERLAY_MTU}, {@link VniMap#defaults()}. */
    public static TunnelOptions defaults(Inet4Address local) {
        return new TunnelOptions(local, DEFAULT_PORT, DEFAULT_UNDERLAY_MTU, VniMap.defaults());
    }

    /** {@link #defaults(Inet4Address)} for an address in dotted-quad text. */
    public static TunnelOptions defaults(String local) {
        return defaults(parse(local));
    }

    public TunnelOptions withPort(int newPort) {
        return new TunnelOptions(local, newPort, underlayMtu, vnis);
    }

    public TunnelOptions withUnderlayMtu(int mtu) {
        return new TunnelOptions(local, port, mtu, vnis);
    }

    public TunnelOptions withVnis(VniMap map) {
        return new TunnelOptions(local, port, underlayMtu, map);
    }

    /** The longest inner Ethernet frame (without FCS, with any C-tag it keeps) the underlay carries unfragmented. */
    public int maxInnerFrame() {
        return underlayMtu - ENCAPSULATION;
    }

    /**
     * An IPv4 address in dotted-quad text, without a name lookup.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static Inet4Address parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("\\.", -1);
        byte[] bytes = new byte[4];
        boolean ok = parts.length == 4;
        for (int i = 0; ok && i < 4; i++) {
            ok = parts[i].matches("\\d{1,3}") && Integer.parseInt(parts[i]) <= 255;
            if (ok) {
                bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address like 198.19.0.1");
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address like 198.19.0.1", e);
        }
    }
}
