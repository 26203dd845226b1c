package io.tapswitch.core.sys;

/**
 * {@code linux/rtnetlink.h} and the part of {@code linux/if_link.h} a link watcher needs: the link
 * message types, the link multicast group, {@code struct ifinfomsg} and {@code struct rtattr}, kernel
 * names kept, layouts as byte offsets.
 */
public final class Rtnetlink {
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;

    /** The multicast group (a bit of {@code nl_groups}) that announces links appearing, changing and going. */
    public static final int RTMGRP_LINK = 1;

    /** {@code struct ifinfomsg}: family, padding, device type, interface index, flags, change mask. */
    public static final int SIZEOF_IFINFOMSG = 16;
    public static final int IFI_FAMILY = 0;
    public static final int IFI_TYPE = 2;
    public static final int IFI_INDEX = 4;
    public static final int IFI_FLAGS = 8;
    public static final int IFI_CHANGE = 12;

    /** {@code struct rtattr}: length (header included) and type, then the value, aligned to 4. */
    public static final int SIZEOF_RTATTR = 4;
    public static final int RTA_LEN = 0;
    public static final int RTA_TYPE = 2;
    public static final int RTA_ALIGNTO = 4;

    /** {@code IFLA_IFNAME}: the interface's name, NUL-terminated. */
    public static final int IFLA_IFNAME = 3;

    private Rtnetlink() {
    }

    /** {@code RTA_ALIGN(len)}. */
    public static int align(int len) {
        return (len + RTA_ALIGNTO - 1) & -RTA_ALIGNTO;
    }
}
