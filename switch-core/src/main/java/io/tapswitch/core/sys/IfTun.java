package io.tapswitch.core.sys;

/** {@code linux/if_tun.h}: the TUN/TAP character device's ioctls and flags, kernel names kept. */
public final class IfTun {
    public static final String DEVICE = "/dev/net/tun";

    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETPERSIST = 0x400454cbL;
    /** Lets this uid attach to the device (TUNSETIFF) besides root, as a persistent TAP's owner. */
    public static final long TUNSETOWNER = 0x400454ccL;
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    public static final long TUNGETFEATURES = 0x800454cfL;
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;

    public static final short IFF_TAP = 0x0002;
    public static final short IFF_NO_PI = 0x1000;
    public static final short IFF_VNET_HDR = 0x4000;

    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;

    private IfTun() {
    }
}
