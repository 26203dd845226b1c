package io.tapswitch.tests.port;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * ARP and ICMP frames that make a kernel network stack answer, built and checked byte by byte.
 *
 * <p>A port's round trip through the kernel is proven by what the kernel sends back: an ARP reply to
 * an ARP request, an echo reply carrying the same payload as the echo request. A {@code tpid} of 0
 * means untagged; otherwise one 802.1Q or 802.1ad tag follows the source MAC.
 */
final class Probes {
    static final int ETH_P_ARP = 0x0806;
    static final int ETH_P_IPV4 = 0x0800;
    static final long BROADCAST = 0xffff_ffff_ffffL;

    private Probes() {
    }

    static int ipv4(String dotted) {
        String[] p = dotted.split("\\.");
        return Integer.parseInt(p[0]) << 24 | Integer.parseInt(p[1]) << 16 | Integer.parseInt(p[2]) << 8
                | Integer.parseInt(p[3]);
    }

    static long mac(String text) {
        return Long.parseLong(text.replace(":", ""), 16);
    }

    private static ByteBuffer ethernet(int size, long dst, long src, int tpid, int tci, int type) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(60, size + (tpid == 0 ? 14 : 18)));
        putMac(b, dst);
        putMac(b, src);
        if (tpid != 0) {
            b.putShort((short) tpid);
            b.putShort((short) tci);
        }
        b.putShort((short) type);
        return b;
    }

    /** A frame of {@code type} with one tag and {@code payload} bytes of a counting pattern. */
    static byte[] tagged(long dst, long src, int tpid, int tci, int type, int payload) {
        ByteBuffer b = ethernet(payload, dst, src, tpid, tci, type);
        for (int i = 0; b.hasRemaining(); i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] arpRequest(long srcMac, int srcIp, int targetIp, int tpid, int tci) {
        ByteBuffer b = ethernet(28, BROADCAST, srcMac, tpid, tci, ETH_P_ARP);
        arp(b, 1, srcMac, srcIp, 0, targetIp);
        return b.array();
    }

    static byte[] arpReply(long srcMac, int srcIp, long dstMac, int dstIp, int tpid, int tci) {
        ByteBuffer b = ethernet(28, dstMac, srcMac, tpid, tci, ETH_P_ARP);
        arp(b, 2, srcMac, srcIp, dstMac, dstIp);
        return b.array();
    }

    private static void arp(ByteBuffer b, int op, long sha, int spa, long tha, int tpa) {
        b.putShort((short) 1).putShort((short) ETH_P_IPV4).put((byte) 6).put((byte) 4).putShort((short) op);
        putMac(b, sha);
        b.putInt(spa);
        putMac(b, tha);
        b.putInt(tpa);
    }

    /** An ICMP echo request with a complete IPv4 header and ICMP checksum. */
    static byte[] echoRequest(long dstMac, long srcMac, int srcIp, int dstIp, int id, int seq, byte[] payload) {
        int icmpLen = 8 + payload.length;
        ByteBuffer b = ethernet(20 + icmpLen, dstMac, srcMac, 0, 0, ETH_P_IPV4);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + icmpLen)).putShort((short) seq)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 1).putShort((short) 0).putInt(srcIp).putInt(dstIp);
        b.putShort(ip + 10, (short) checksum(b.array(), ip, 20));
        int icmp = b.position();
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(payload);
        b.putShort(icmp + 2, (short) checksum(b.array(), icmp, icmpLen));
        return b.array();
    }

    static int checksum(byte[] data, int from, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += (data[from + i] & 0xff) << 8 | data[from + i + 1] & 0xff;
        }
        if ((len & 1) != 0) {
            sum += (data[from + len - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** Offset of the EtherType after an optional tag of {@code tpid}; -1 when the frame's tag differs. */
    private static int typeOffset(byte[] f, int tpid, int vid) {
        if (f.length < 14) {
            return -1;
        }
        int first = u16(f, 12);
        if (tpid == 0) {
            return first == 0x8100 || first == 0x88a8 ? -1 : 12;
        }
        if (first != tpid || f.length < 18 || (u16(f, 14) & 0xfff) != vid) {
            return -1;
        }
        return 16;
    }

    /** Whether {@code f} is an ARP {@code op} from {@code senderIp} to {@code targetIp}, tagged as given. */
    static boolean isArp(byte[] f, int op, int senderIp, int targetIp, int tpid, int vid) {
        int t = typeOffset(f, tpid, vid);
        if (t < 0 || f.length < t + 2 + 28 || u16(f, t) != ETH_P_ARP) {
            return false;
        }
        int arp = t + 2;
        return u16(f, arp + 6) == op && u32(f, arp + 14) == senderIp && u32(f, arp + 24) == targetIp;
    }

    /** The sender MAC of an ARP frame (untagged or tagged as given). */
    static long arpSender(byte[] f, int tpid, int vid) {
        int arp = typeOffset(f, tpid, vid) + 2;
        return (long) u16(f, arp + 8) << 32 | u32(f, arp + 10) & 0xffffffffL;
    }

    /** Whether {@code f} is the untagged echo reply to an {@link #echoRequest} with these fields. */
    static boolean isEchoReply(byte[] f, int fromIp, int toIp, int id, int seq, byte[] payload) {
        int t = typeOffset(f, 0, 0);
        if (t < 0 || u16(f, t) != ETH_P_IPV4) {
            return false;
        }
        int ip = t + 2;
        int ihl = (f[ip] & 0x0f) * 4;
        int total = u16(f, ip + 2);
        int icmp = ip + ihl;
        if (f[ip + 9] != 1 || u32(f, ip + 12) != fromIp || u32(f, ip + 16) != toIp || f.length < ip + total
                || total - ihl != 8 + payload.length) {
            return false;
        }
        return f[icmp] == 0 && u16(f, icmp + 4) == id && u16(f, icmp + 6) == seq
                && checksum(f, icmp, total - ihl) == 0
                && Arrays.equals(f, icmp + 8, icmp + 8 + payload.length, payload, 0, payload.length);
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | f[at + 1] & 0xff;
    }

    private static int u32(byte[] f, int at) {
        return u16(f, at) << 16 | u16(f, at + 2);
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putInt((int) (mac >>> 16));
        b.putShort((short) mac);
    }
}
