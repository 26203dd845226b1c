package io.tapswitch.core.sys;

/**
 * {@code linux/netlink.h}: the netlink socket family, its address ({@code struct sockaddr_nl}) and
 * the header every netlink message starts with ({@code struct nlmsghdr}), kernel names kept.
 * Layouts are byte offsets, as in {@link Socket}; the families built on netlink have their own
 * class ({@link Rtnetlink}).
 */
public final class Netlink {
    public static final int AF_NETLINK = 16;
    /** The routing family: links, addresses, routes, neighbours ({@code linux/rtnetlink.h}). */
    public static final int NETLINK_ROUTE = 0;
    public static final int SOL_NETLINK = 270;

    /** {@code struct sockaddr_nl}: family, padding, port id, multicast groups bitmask. */
    public static final int SIZEOF_SOCKADDR_NL = 12;
    public static final int NL_FAMILY = 0;
    public static final int NL_PID = 4;
    public static final int NL_GROUPS = 8;

    /** {@code struct nlmsghdr}: total length, type, flags, sequence number, sender's port id. */
    public static final int SIZEOF_NLMSGHDR = 16;
    public static final int NLMSG_LEN = 0;
    public static final int NLMSG_TYPE = 4;
    public static final int NLMSG_FLAGS = 6;
    public static final int NLMSG_SEQ = 8;
    public static final int NLMSG_PID = 12;
    /** Messages in a datagram start at multiples of this. */
    public static final int NLMSG_ALIGNTO = 4;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    /** {@code NLM_F_ROOT | NLM_F_MATCH}: every object of the kind asked for. */
    public static final int NLM_F_DUMP = 0x300;

    private Netlink() {
    }

    /** {@code NLMSG_ALIGN(len)}. */
    public static int align(int len) {
        return (len + NLMSG_ALIGNTO - 1) & -NLMSG_ALIGNTO;
    }
}
