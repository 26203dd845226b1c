package io.tapswitch.core.sys;

/**
 * {@code linux/if_packet.h}: AF_PACKET socket options, packet types, membership requests and the
 * layouts of {@code struct sockaddr_ll}, {@code struct packet_mreq} and
 * {@code struct tpacket_auxdata}, kernel names kept.
 *
 * <p>Layouts are given as sizes and byte offsets for x86-64 so that the control path can fill a JNA
 * {@code Memory} and the frame path can read a preallocated direct buffer without marshalling.
 * Multi-byte fields are in host order, except {@code sll_protocol}, which is in network order.
 */
public final class IfPacket {
    /** {@code ETH_P_ALL} from {@code linux/if_ether.h}: every protocol; only packet sockets use it. */
    public static final int ETH_P_ALL = 0x0003;

    /** Socket option level of the options below ({@code SOL_PACKET} of {@code bits/socket.h}). */
    public static final int SOL_PACKET = 263;

    public static final int PACKET_HOST = 0;
    /** A frame the interface transmitted, seen by packet sockets on its way out. */
    public static final int PACKET_OUTGOING = 4;

    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_AUXDATA = 8;
    public static final int PACKET_VNET_HDR = 15;
    /** Since Linux 4.20: the socket is not offered frames the interface transmits. */
    public static final int PACKET_IGNORE_OUTGOING = 23;

    public static final int PACKET_MR_PROMISC = 1;

    /** {@code tp_vlan_tci} holds a tag the kernel took out of the frame (even when the TCI is 0). */
    public static final int TP_STATUS_VLAN_VALID = 0x10;
    /** {@code tp_vlan_tpid} holds that tag's TPID; older kernels leave it 0 and mean 0x8100. */
    public static final int TP_STATUS_VLAN_TPID_VALID = 0x40;

    public static final int SIZEOF_SOCKADDR_LL = 20;
    public static final int SLL_FAMILY = 0;
    public static final int SLL_PROTOCOL = 2;
    public static final int SLL_IFINDEX = 4;
    public static final int SLL_PKTTYPE = 10;
    public static final int SLL_ADDR = 12;

    public static final int SIZEOF_PACKET_MREQ = 16;
    public static final int MR_IFINDEX = 0;
    public static final int MR_TYPE = 4;
    public static final int MR_ADDRESS = 8;

    public static final int SIZEOF_TPACKET_AUXDATA = 20;
    public static final int TP_STATUS = 0;
    public static final int TP_LEN = 4;
    public static final int TP_SNAPLEN = 8;
    public static final int TP_MAC = 12;
    public static final int TP_NET = 14;
    public static final int TP_VLAN_TCI = 16;
    public static final int TP_VLAN_TPID = 18;

    private IfPacket() {
    }
}
