package io.tapswitch.agent.api;

import io.tapswitch.core.frame.Ethernet;

import java.nio.ByteBuffer;

/**
 * The bytes of a minimal Ethernet frame for the tracer: addresses, an optional 802.1Q tag, an
 * ethertype, and zero padding to the 60-byte minimum, which is all the forwarding decision reads.
 */
final class ProbeFrame {
    private ProbeFrame() {
    }

    /**
     * @param vlan VLAN ID of an 802.1Q tag to insert, or -1 for an untagged frame
     * @param pcp  priority of that tag
     */
    static byte[] build(long dst, long src, int vlan, int pcp, int ethertype) {
        ByteBuffer b = ByteBuffer.allocate(Ethernet.MIN_FRAME);
        putMac(b, dst);
        putMac(b, src);
        if (vlan >= 0) {
            b.putShort((short) Ethernet.ETH_P_8021Q);
            b.putShort((short) ((pcp << 13) | vlan));
        }
        b.putShort((short) ethertype);
        return b.array();
    }

    private static void putMac(ByteBuffer b, long mac) {
        for (int shift = 40; shift >= 0; shift -= 8) {
            b.put((byte) (mac >>> shift));
        }
    }
}
