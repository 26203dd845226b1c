package io.tapswitch.core.tunnel;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.port.Refusal;

import java.nio.ByteBuffer;

/**
 * The VXLAN wire format of RFC 7348 and the two things the switch does with it: the 16 bytes put in
 * front of an inner frame on the way out (the UDP header and the VXLAN header; the kernel adds the
 * IP header), and taking a received datagram apart into a frame the switch can forward.
 *
 * <pre>
 *  UDP:   source port | destination port | length | checksum (0: none, allowed over IPv4)
 *  VXLAN: flags 0x08 (I: the VNI is valid) | 3 reserved | VNI (24 bits) | 1 reserved
 *  then the inner Ethernet frame, without FCS
 * </pre>
 *
 * <p>Pure functions over buffers, allocation-free; the frame path calls them for every datagram.
 */
public final class Vxlan {
    public static final int UDP_HEADER_LEN = 8;
    public static final int HEADER_LEN = 8;
    /** The flags byte's I bit: the VNI field is valid. The other flag bits are reserved and ignored on receipt. */
    public static final int FLAG_I = 0x08;
    /** RFC 7348 §5: the outer UDP source port is a hash of the inner flow in the dynamic range 49152–65535. */
    public static final int SOURCE_PORT_MIN = 49152;
    public static final int SOURCE_PORT_RANGE = 16384;

    /** {@link #decapsulate}: a frame to forward. */
    static final int FRAME = 0;
    /** {@link #decapsulate}: a tunnel probe on {@link VniMap#PROBE_VNI}, for the endpoint itself. */
    static final int PROBE = 1;
    /** {@link #decapsulate}: refused; {@link Frame#refusal} says why. */
    static final int REFUSED = 2;

    private Vxlan() {
    }

    /**
     * Writes the UDP header and the VXLAN header (16 bytes) at {@code at}, for an inner frame of
     * {@code innerLength} bytes in VNI {@code vni}, as the raw socket sends probes. The UDP checksum is 0: RFC 7348 allows it over
     * IPv4, the inner frame has checksums of its own, and the kernel vxlan device sends it so too.
     */
    public static void writeHeaders(ByteBuffer buf, int at, int sourcePort, int destinationPort, int vni, int innerLength) {
        buf.putShort(at, (short) sourcePort);
        buf.putShort(at + 2, (short) destinationPort);
        buf.putShort(at + 4, (short) (UDP_HEADER_LEN + HEADER_LEN + innerLength));
        buf.putShort(at + 6, (short) 0);
        buf.putInt(at + UDP_HEADER_LEN, FLAG_I << 24);
        buf.putInt(at + UDP_HEADER_LEN + 4, vni << 8);
    }

    /** Writes the VXLAN header (8 bytes) at {@code at}: the I flag and {@code vni}; the UDP header is the socket's. */
    public static void writeHeader(ByteBuffer buf, int at, int vni) {
        buf.putInt(at, FLAG_I << 24);
        buf.putInt(at + 4, vni << 8);
    }

    /** The VNI of the VXLAN header at {@code at}. */
    public static int vni(ByteBuffer buf, int at) {
        return buf.getInt(at + 4) >>> 8;
    }

    /** Whether the VXLAN header at {@code at} has its I flag, without which its VNI means nothing. */
    public static boolean hasVni(ByteBuffer buf, int at) {
        return (buf.get(at) & FLAG_I) != 0;
    }

    /**
     * Takes apart the datagram of {@code length} bytes that was read into {@code frame} at
     * {@code frame.frame() - HEADER_LEN} (so that the inner frame already lies where a frame
     * belongs and is never moved). On {@link #FRAME} the inner frame is the frame, with its vnet
     * header cleared, and for a VLAN other than 0 an 802.1Q tag of that VLAN pushed after its source
     * MAC, so that the tunnel's port classifies it as a trunk would. On {@link #REFUSED} the frame's
     * {@code refusal} says why. {@link #PROBE} leaves the frame as read. The sender is recorded in
     * {@code frame.tunnelSource} in every case.
     *
     * <p>Why a tag of 0x8100 whatever the VLAN was on the sender's ports: VXLAN carries no TPID. A
     * frame of a QinQ S-VLAN (from a dot1q-tunnel port) arrives with its customer's C-tag inside;
     * the pushed tag goes outside it, so classification on the trunk yields the S-VLAN and the C-tag
     * rides inside, and a dot1q-tunnel port of that S-VLAN pops the outer tag and hands the customer
     * its C-tagged frame as it was sent.
     */
    static int decapsulate(Frame frame, int length, VniMap vnis, long source) {
        ByteBuffer buf = frame.buffer();
        int at = frame.frame() - HEADER_LEN;
        frame.tunnelSource = source;
        if (length < HEADER_LEN || !hasVni(buf, at)) {
            return refuse(frame, length, Refusal.MALFORMED_VXLAN);
        }
        int vni = vni(buf, at);
        if (vni == VniMap.PROBE_VNI) {
            return PROBE;
        }
        int inner = length - HEADER_LEN;
        if (inner < Ethernet.HEADER_LEN) {
            return refuse(frame, length, Refusal.MALFORMED_VXLAN);
        }
        int vlan = vnis.vlan(vni);
        if (vlan < 0) {
            return refuse(frame, length, Refusal.UNKNOWN_VNI);
        }
        VnetHeader.clear(buf, frame.start());
        frame.setLength(inner);
        if (vlan != 0) {
            frame.shiftHead(Ethernet.TAG_LEN);
            buf.putShort(frame.frame() + Ethernet.TYPE, (short) Ethernet.ETH_P_8021Q);
            buf.putShort(frame.frame() + Ethernet.TCI, (short) vlan);
        }
        return FRAME;
    }

    private static int refuse(Frame frame, int length, Refusal why) {
        VnetHeader.clear(frame.buffer(), frame.start());
        frame.setLength(Math.max(0, length - HEADER_LEN));
        frame.refusal = why.code();
        return REFUSED;
    }
}
