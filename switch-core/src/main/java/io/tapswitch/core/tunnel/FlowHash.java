package io.tapswitch.core.tunnel;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.vlan.VlanTranslate;

import java.nio.ByteBuffer;

/**
 * The outer UDP source port of a VXLAN datagram, hashed from the inner flow (RFC 7348 §5), so that
 * an underlay that balances by the 5-tuple (ECMP, RSS on the receiving NIC) spreads flows while
 * keeping each flow's packets in order. All segments of one GSO frame belong to one flow and get
 * the same port.
 *
 * <p>The flow is the inner MACs and EtherType and, for IPv4 and IPv6, the addresses, the protocol
 * and, for TCP, UDP and SCTP (unless the packet is a later IPv4 fragment), the ports; tags are
 * skipped. The result lies in 49152–65535. Pure and allocation-free.
 */
final class FlowHash {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private FlowHash() {
    }

    /** The source port for the inner frame at {@code frame} of {@code length} bytes. */
    static int sourcePort(ByteBuffer buf, int frame, int length) {
        int end = frame + length;
        long h = mix(0, buf.getLong(frame));
        h = mix(h, buf.getInt(frame + 8));
        int typeAt = frame + Ethernet.TYPE;
        int type = buf.getShort(typeAt) & 0xffff;
        for (int tags = 0; VlanTranslate.isTagType(type) && tags < 2 && typeAt + Ethernet.TAG_LEN + 2 <= end; tags++) {
            typeAt += Ethernet.TAG_LEN;
            type = buf.getShort(typeAt) & 0xffff;
        }
        h = mix(h, type);
        int l3 = typeAt + 2;
        int protocol = -1;
        int l4 = -1;
        if (type == Ethernet.ETH_P_IPV4 && l3 + 20 <= end) {
            h = mix(h, buf.getLong(l3 + 12));
            protocol = buf.get(l3 + 9) & 0xff;
            if ((buf.getShort(l3 + 6) & 0x1fff) == 0) {
                l4 = l3 + (buf.get(l3) & 0xf) * 4;
            }
        } else if (type == Ethernet.ETH_P_IPV6 && l3 + 40 <= end) {
            for (int i = 0; i < 32; i += 8) {
                h = mix(h, buf.getLong(l3 + 8 + i));
            }
            protocol = buf.get(l3 + 6) & 0xff;
            l4 = l3 + 40;
        }
        if (protocol >= 0) {
            h = mix(h, protocol);
            if ((protocol == 6 || protocol == 17 || protocol == 132) && l4 > 0 && l4 + 4 <= end) {
                h = mix(h, buf.getInt(l4));
            }
        }
        return Vxlan.SOURCE_PORT_MIN + (int) (avalanche(h) & (Vxlan.SOURCE_PORT_RANGE - 1));
    }

    /**
     * A multiplication carries a change of a mixed word only towards the high bits, so without a
     * final avalanche the top bits of a word (the first octet of an IPv4 source, the first bytes of
     * a MAC) would reach the low bits the port is cut from through a few bits only: 256 flows that
     * differed there shared 8 ports. MurmurHash3's 64-bit finalizer spreads every bit over all.
     */
    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    private static long mix(long h, long v) {
        return (h ^ v) * GOLDEN;
    }
}
