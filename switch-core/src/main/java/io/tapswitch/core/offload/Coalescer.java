package io.tapswitch.core.offload;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;

import java.nio.ByteBuffer;

/**
 * Software GRO: merges consecutive, in-order TCP segments of one flow into one GSO super-frame, the
 * receiving half of what the {@link Segmenter} does. A tunnel receives a 64 KB burst of a guest's
 * TCP stream as forty-odd datagrams; handed on one by one, every segment costs the switch a
 * forwarding decision and a write, and the destination kernel a trip through its stack. Merged,
 * the burst is one frame with a virtio-net header ({@code gso_type} TCPv4/TCPv6, {@code gso_size}
 * the segments' size, a partial checksum), which a TAP or packet port hands to the kernel as the
 * single large packet it was before the sender's GSO cut it; a port without a vnet header gets
 * the segments back from the switch's software offload.
 *
 * <p><b>What merges.</b> Like the kernel's {@code tcp_gro_receive}, conservatively: IPv4 without
 * options and not fragmented, or IPv6 with TCP as its first next header; TCP with the same
 * addresses, ports, acknowledgment number, header length and options (byte for byte: timestamps
 * included), only ACK (and ECE) set apart from PSH, and a payload. Each segment must start where
 * the previous ended (sequence number), IPv4 IDs must count up by one, TOS/traffic class, TTL/hop
 * limit, DF and the flow label must not change, and every segment but the last must be as long as
 * the first (that length becomes {@code gso_size}). A segment with PSH, or one shorter than the
 * first, is merged and ends the frame. Anything else (SYN, FIN, RST, URG, CWR, a gap, a
 * retransmission, another flow) ends the frame, and the caller hands that segment on as it is.
 *
 * <p><b>Checksums.</b> A merged frame carries only the pseudo-header sum in its TCP checksum field
 * ({@code NEEDS_CSUM}): its receiver takes it as verified, so every segment's TCP checksum (and an
 * IPv4 header checksum) is verified here before it is merged; one that fails is not merged and
 * goes on as it is, for its receiver to drop. The work is the one the receiver would otherwise do
 * for each segment. A caller that knows the segments' bytes were verified on the way (a tunnel
 * datagram whose UDP checksum, which covers the whole inner frame, the kernel checked) may skip
 * it ({@link #begin(Frame, boolean)}): reading every byte again is the largest cost of merging.
 * Such segments may then carry a partial checksum (only the pseudo-header sum, from a sender told
 * it may send so): every frame begun unverified leaves with {@code NEEDS_CSUM}, merged or not.
 *
 * <p>An instance builds one frame at a time and belongs to one thread. Nothing allocates; a merged
 * segment's payload is copied once, behind the frame's last byte.
 */
public final class Coalescer {
    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_URG = 0x20;
    private static final int TCP_CWR = 0x80;
    /** Flags that a segment may not carry to be merged. */
    private static final int NOT_MERGED = TCP_FIN | TCP_SYN | TCP_RST | TCP_URG | TCP_CWR;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int TCP_MIN_HEADER = 20;
    /** The most an IPv4 total length or an IPv6 payload length can say. */
    private static final int MAX_IP_LENGTH = 65535;

    private Frame out;
    private ByteBuffer buf;
    private int eth;
    private int l3;
    private int l4;
    private int tcpLength;
    private int headEnd;
    private boolean v6;
    private int end;
    private int mss;
    private int segments;
    private int nextSeq;
    private int nextId;
    private boolean full;
    private boolean verify;

    /** Segments merged into the frame being built (0 when none is). */
    public int segments() {
        return segments;
    }

    /**
     * Starts a frame from {@code frame}, a plain frame (no offload) whose Ethernet header may be
     * followed by one 802.1Q tag. Returns whether it is a TCP segment that later ones can join; if
     * not, nothing is kept and the frame is left untouched.
     */
    public boolean begin(Frame frame) {
        return begin(frame, true);
    }

    /**
     * {@link #begin(Frame)}, verifying the checksums of this frame and of those merged into it only
     * if {@code verify}.
     */
    public boolean begin(Frame frame, boolean verify) {
        segments = 0;
        ByteBuffer b = frame.buffer();
        int e = frame.frame();
        int n = frame.length();
        int typeAt = e + Ethernet.TYPE;
        if (n < Ethernet.HEADER_LEN) {
            return false;
        }
        int type = b.getShort(typeAt) & 0xffff;
        if (type == Ethernet.ETH_P_8021Q && n >= Ethernet.HEADER_LEN + Ethernet.TAG_LEN) {
            typeAt += Ethernet.TAG_LEN;
            type = b.getShort(typeAt) & 0xffff;
        }
        int at3 = typeAt + 2;
        int last = e + n;
        boolean six;
        if (type == Ethernet.ETH_P_IPV4) {
            six = false;
        } else if (type == Ethernet.ETH_P_IPV6) {
            six = true;
        } else {
            return false;
        }
        int at4 = ipv4or6(b, at3, last, six);
        if (at4 < 0) {
            return false;
        }
        int th = tcpHeader(b, at4, last);
        if (th < 0 || verify && !verified(b, at3, at4, th, last, six)) {
            return false;
        }
        this.verify = verify;
        out = frame;
        buf = b;
        eth = e;
        l3 = at3;
        l4 = at4;
        v6 = six;
        tcpLength = th;
        headEnd = at4 + th;
        end = last;
        mss = last - headEnd;
        segments = 1;
        nextSeq = b.getInt(at4 + 4) + mss;
        nextId = six ? 0 : (b.getShort(at3 + 4) + 1) & 0xffff;
        full = (b.get(at4 + 13) & TCP_PSH) != 0;
        return true;
    }

    /**
     * The IP header at {@code at3} checked for a mergeable TCP segment that ends exactly at
     * {@code last}; returns where its TCP header starts, or -1.
     */
    private static int ipv4or6(ByteBuffer b, int at3, int last, boolean six) {
        if (six) {
            if (at3 + IPV6_HEADER + TCP_MIN_HEADER > last || (b.get(at3) & 0xf0) != 0x60 || (b.get(at3 + 6) & 0xff) != 6
                    || at3 + IPV6_HEADER + (b.getShort(at3 + 4) & 0xffff) != last) {
                return -1;
            }
            return at3 + IPV6_HEADER;
        }
        if (at3 + IPV4_HEADER + TCP_MIN_HEADER > last || (b.get(at3) & 0xff) != 0x45 || (b.get(at3 + 9) & 0xff) != 6
                || (b.getShort(at3 + 6) & 0xbfff) != 0 || at3 + (b.getShort(at3 + 2) & 0xffff) != last) {
            return -1;
        }
        return at3 + IPV4_HEADER;
    }

    /** The length of the TCP header at {@code at4} if its segment can be merged (flags, a payload), or -1. */
    private static int tcpHeader(ByteBuffer b, int at4, int last) {
        int th = ((b.get(at4 + 12) & 0xff) >>> 4) * 4;
        if (th < TCP_MIN_HEADER || at4 + th >= last || (b.get(at4 + 13) & NOT_MERGED) != 0
                || (b.get(at4 + 13) & 0x10) == 0) {
            return -1;
        }
        return th;
    }

    /** Whether the segment's IPv4 header checksum and its TCP checksum verify. */
    private static boolean verified(ByteBuffer b, int at3, int at4, int th, int last, boolean six) {
        long pseudo;
        if (six) {
            pseudo = InternetChecksum.add(b, at3 + 8, 32, 0);
        } else {
            if (!InternetChecksum.verifies(InternetChecksum.add(b, at3, IPV4_HEADER, 0))) {
                return false;
            }
            pseudo = InternetChecksum.add(b, at3 + 12, 8, 0);
        }
        pseudo = InternetChecksum.add16(InternetChecksum.add16(pseudo, 6), last - at4);
        return InternetChecksum.verifies(InternetChecksum.add(b, at4, last - at4, pseudo));
    }

    /**
     * Merges the untagged Ethernet frame at {@code src[from, from + length)} into the frame being
     * built if it is its flow's next segment (see the class comment), copying its payload behind
     * the frame's last byte; returns whether it did. On false nothing changed.
     */
    public boolean append(ByteBuffer src, int from, int length) {
        if (segments == 0 || full) {
            return false;
        }
        int last = from + length;
        int s3 = from + Ethernet.HEADER_LEN;
        int s4 = s3 + (l4 - l3);
        int sp = s4 + tcpLength;
        if (sp >= last || src.getShort(from + Ethernet.TYPE) != buf.getShort(l3 - 2)
                || src.getInt(from) != buf.getInt(eth) || src.getLong(from + 4) != buf.getLong(eth + 4)) {
            return false;
        }
        int payload = last - sp;
        if (payload > mss || end + payload > eth + Frame.MAX_FRAME_LEN || end + payload - (v6 ? l4 : l3) > MAX_IP_LENGTH) {
            return false;
        }
        if (v6) {
            if (ipv4or6(src, s3, last, true) < 0 || src.getInt(s3) != buf.getInt(l3) || src.get(s3 + 7) != buf.get(l3 + 7)
                    || !sameBytes(src, s3 + 8, l3 + 8, 32)) {
                return false;
            }
        } else {
            if (ipv4or6(src, s3, last, false) < 0 || src.get(s3 + 1) != buf.get(l3 + 1)
                    || (src.getShort(s3 + 4) & 0xffff) != nextId || src.getShort(s3 + 6) != buf.getShort(l3 + 6)
                    || src.get(s3 + 8) != buf.get(l3 + 8) || src.getLong(s3 + 12) != buf.getLong(l3 + 12)) {
                return false;
            }
        }
        int flags = src.get(s4 + 13) & 0xff;
        if (((src.get(s4 + 12) & 0xff) >>> 4) * 4 != tcpLength || src.getInt(s4) != buf.getInt(l4)
                || src.getInt(s4 + 4) != nextSeq || src.getInt(s4 + 8) != buf.getInt(l4 + 8)
                || (flags & ~TCP_PSH) != (buf.get(l4 + 13) & ~TCP_PSH & 0xff)
                || !sameBytes(src, s4 + TCP_MIN_HEADER, l4 + TCP_MIN_HEADER, tcpLength - TCP_MIN_HEADER)
                || verify && !verified(src, s3, s4, tcpLength, last, v6)) {
            return false;
        }
        buf.put(end, src, sp, payload);
        end += payload;
        segments++;
        nextSeq += payload;
        nextId = (nextId + 1) & 0xffff;
        buf.putShort(l4 + 14, src.getShort(s4 + 14)); // the newest window
        if ((flags & TCP_PSH) != 0) {
            buf.put(l4 + 13, (byte) (buf.get(l4 + 13) | TCP_PSH));
            full = true;
        }
        if (payload < mss) {
            full = true;
        }
        return true;
    }

    private boolean sameBytes(ByteBuffer src, int from, int at, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            if (src.getLong(from + i) != buf.getLong(at + i)) {
                return false;
            }
        }
        for (; i + 4 <= n; i += 4) {
            if (src.getInt(from + i) != buf.getInt(at + i)) {
                return false;
            }
        }
        return true; // TCP options and IPv6 addresses come in multiples of four
    }

    /**
     * Completes the frame being built and returns how many segments it holds. One, verified: the
     * frame is left exactly as {@link #begin} found it; one, unverified: its checksum field gets the
     * pseudo-header sum and its vnet header asks for the checksum to be completed. More: its IP length (and IPv4 header checksum) cover
     * the whole payload, its TCP checksum field holds the pseudo-header sum, and its vnet header asks
     * for segmentation at the first segment's size with a partial checksum; its length is updated.
     */
    public int finish() {
        int n = segments;
        segments = 0;
        if (n == 0 || n == 1 && verify) {
            out = null;
            return n;
        }
        if (n == 1) {
            // Unverified: its checksum may be partial (a sender that was told it may), so it is
            // completed downstream like any partial checksum.
            long pseudo = v6 ? InternetChecksum.add(buf, l3 + 8, 32, 0) : InternetChecksum.add(buf, l3 + 12, 8, 0);
            pseudo = InternetChecksum.add16(InternetChecksum.add16(pseudo, 6), end - l4);
            buf.putShort(l4 + 16, (short) InternetChecksum.fold(pseudo));
            int hdr = out.start();
            buf.put(hdr + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
            VnetHeader.putLe16(buf, hdr + VnetHeader.CSUM_START, l4 - eth);
            VnetHeader.putLe16(buf, hdr + VnetHeader.CSUM_OFFSET, 16);
            out = null;
            return n;
        }
        if (v6) {
            buf.putShort(l3 + 4, (short) (end - l4));
        } else {
            buf.putShort(l3 + 2, (short) (end - l3));
            buf.putShort(l3 + 10, (short) 0);
            buf.putShort(l3 + 10, (short) InternetChecksum.finish(InternetChecksum.add(buf, l3, IPV4_HEADER, 0)));
        }
        long pseudo = v6 ? InternetChecksum.add(buf, l3 + 8, 32, 0) : InternetChecksum.add(buf, l3 + 12, 8, 0);
        pseudo = InternetChecksum.add16(InternetChecksum.add16(pseudo, 6), end - l4);
        buf.putShort(l4 + 16, (short) InternetChecksum.fold(pseudo));
        int hdr = out.start();
        buf.put(hdr + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        buf.put(hdr + VnetHeader.GSO_TYPE, (byte) (v6 ? VnetHeader.GSO_TCPV6 : VnetHeader.GSO_TCPV4));
        VnetHeader.putLe16(buf, hdr + VnetHeader.HDR_LEN, headEnd - eth);
        VnetHeader.putLe16(buf, hdr + VnetHeader.GSO_SIZE, mss);
        VnetHeader.putLe16(buf, hdr + VnetHeader.CSUM_START, l4 - eth);
        VnetHeader.putLe16(buf, hdr + VnetHeader.CSUM_OFFSET, 16);
        out.setLength(end - eth);
        out = null;
        return n;
    }
}
