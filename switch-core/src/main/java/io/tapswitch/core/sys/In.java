package io.tapswitch.core.sys;

import java.nio.ByteBuffer;

/**
 * {@code netinet/in.h} (and the {@code linux/in.h} options it carries): IPv4 protocol numbers, the
 * {@code IPPROTO_IP} socket options a VXLAN endpoint needs, and the layout of
 * {@code struct sockaddr_in}, kernel names kept.
 *
 * <p>Addresses are handled as an {@code int} holding the IPv4 address in its numeric value
 * (198.19.0.1 is {@code 0xc6130001}) and ports as an {@code int} 0–65535. The layout helpers write
 * and read {@code sin_port} and {@code sin_addr} in network order byte by byte, and
 * {@code sin_family} in the host's order, so they are correct whatever order the buffer is set to;
 * they allocate nothing, which lets the frame path fill in a destination per datagram.
 */
public final class In {
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;

    /** {@code IP_MTU_DISCOVER}: the socket's path-MTU discovery mode, and with it the DF bit. */
    public static final int IP_MTU_DISCOVER = 10;
    /** Never fragment locally, always set DF; a datagram larger than the path MTU fails with EMSGSIZE. */
    public static final int IP_PMTUDISC_DO = 2;
    /** {@code IP_MTU}: the path MTU the kernel knows for a connected socket (read-only). */
    public static final int IP_MTU = 14;

    public static final int INADDR_ANY = 0;

    /** {@code struct sockaddr_in} on Linux: family (host order), port, address (network order), 8 bytes of zero. */
    public static final int SIZEOF_SOCKADDR_IN = 16;
    public static final int SIN_FAMILY = 0;
    public static final int SIN_PORT = 2;
    public static final int SIN_ADDR = 4;
    public static final int SIN_ZERO = 8;

    private In() {
    }

    /** Writes a whole {@code sockaddr_in} for {@code address}:{@code port} at {@code at}. */
    public static void putSockaddrIn(ByteBuffer buf, int at, int address, int port) {
        short family = (short) Socket.AF_INET;
        if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN) {
            buf.put(at + SIN_FAMILY, (byte) family);
            buf.put(at + SIN_FAMILY + 1, (byte) (family >>> 8));
        } else {
            buf.put(at + SIN_FAMILY, (byte) (family >>> 8));
            buf.put(at + SIN_FAMILY + 1, (byte) family);
        }
        buf.put(at + SIN_PORT, (byte) (port >>> 8));
        buf.put(at + SIN_PORT + 1, (byte) port);
        buf.put(at + SIN_ADDR, (byte) (address >>> 24));
        buf.put(at + SIN_ADDR + 1, (byte) (address >>> 16));
        buf.put(at + SIN_ADDR + 2, (byte) (address >>> 8));
        buf.put(at + SIN_ADDR + 3, (byte) address);
        for (int i = 0; i < 8; i++) {
            buf.put(at + SIN_ZERO + i, (byte) 0);
        }
    }

    /** {@code sin_addr} of the {@code sockaddr_in} at {@code at}, as a numeric IPv4 address. */
    public static int sinAddress(ByteBuffer buf, int at) {
        return (buf.get(at + SIN_ADDR) & 0xff) << 24 | (buf.get(at + SIN_ADDR + 1) & 0xff) << 16
                | (buf.get(at + SIN_ADDR + 2) & 0xff) << 8 | (buf.get(at + SIN_ADDR + 3) & 0xff);
    }

    /** {@code sin_port} of the {@code sockaddr_in} at {@code at}. */
    public static int sinPort(ByteBuffer buf, int at) {
        return (buf.get(at + SIN_PORT) & 0xff) << 8 | (buf.get(at + SIN_PORT + 1) & 0xff);
    }

    /** Dotted-quad text of a numeric IPv4 address, for names and log lines (allocates). */
    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /** The numeric value of a four-byte IPv4 address in network order, as {@code InetAddress.getAddress()} gives it. */
    public static int address(byte[] networkOrder) {
        if (networkOrder.length != 4) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes, not " + networkOrder.length);
        }
        return (networkOrder[0] & 0xff) << 24 | (networkOrder[1] & 0xff) << 16 | (networkOrder[2] & 0xff) << 8
                | (networkOrder[3] & 0xff);
    }
}
