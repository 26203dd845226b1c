package io.tapswitch.core.sys;

/**
 * {@code linux/if.h} and {@code linux/sockios.h}: {@code struct ifreq} layout, interface flags and
 * the interface ioctls. The layout is fixed by the x86-64 ABI: a 16-byte name followed by a 24-byte
 * union.
 */
public final class NetIf {
    public static final int IFNAMSIZ = 16;
    public static final int SIZEOF_IFREQ = 40;
    /** Offset of the union ({@code ifr_flags}, {@code ifr_ifindex}, {@code ifr_mtu}, {@code ifr_hwaddr}). */
    public static final int IFR_UNION = 16;

    public static final short IFF_UP = 0x1;
    public static final short IFF_BROADCAST = 0x2;
    public static final short IFF_RUNNING = 0x40;
    public static final short IFF_PROMISC = 0x100;
    /** From {@code IFF_LOWER_UP}, reported through rtnetlink only; kept for completeness. */
    public static final int IFF_LOWER_UP = 0x10000;

    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCSIFFLAGS = 0x8914;
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCSIFMTU = 0x8922;
    public static final long SIOCGIFHWADDR = 0x8927;
    public static final long SIOCGIFINDEX = 0x8933;

    private NetIf() {
    }
}
