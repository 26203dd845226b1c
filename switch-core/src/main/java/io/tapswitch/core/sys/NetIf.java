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

    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCSIFFLAGS = 0x8914;
    public static final long SIOCGIFINDEX = 0x8933;

    private NetIf() {
    }
}
