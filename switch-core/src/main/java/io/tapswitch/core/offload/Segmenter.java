package io.tapswitch.core.offload;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.vlan.VlanTranslate;

import java.nio.ByteBuffer;

/**
 * Turns a frame that still carries an offload request in its virtio-net header into the frames a
 * wire would carry: a GSO super-frame into MSS-sized segments, a partial-checksum frame into one
 * frame with its checksum complete. What TSO hardware and the kernel's software GSO do, for the
 * egresses that cannot take offloaded frames: VXLAN tunnels, ports without a vnet header, captures.
 *
 * <p><b>What it segments.</b> TCP over IPv4 ({@code GSO_TCPV4}) and IPv6 ({@code GSO_TCPV6}, with
 * TCP as the first next header), with or without the ECN flag, and UDP segmentation offload
 * ({@code GSO_UDP_L4}, IPv4 or IPv6), behind up to two VLAN tags. Each segment gets the headers of
 * the super-frame with: the IP total (v4) or payload (v6) length of the segment; for IPv4 the ID
 * incremented per segment and the header checksum recomputed; for TCP the sequence number advanced
 * by the bytes before it, FIN and PSH only on the last segment and CWR only on the first, as the
 * kernel's {@code tcp_gso_segment} does; the UDP length of the segment; and a full TCP or UDP
 * checksum over the pseudo-header, the header and the segment's payload. It does not segment
 * {@code GSO_UDP} (UFO, which means IP fragmentation of one datagram), IPv6 with extension
 * headers, IPv4 fragments or anything it cannot parse: {@link #prepare} answers
 * {@link #UNSUPPORTED} and the caller drops the frame with a reason. Header lengths come from
 * parsing the headers, never from the guest's {@code hdr_len}, and every length read is checked
 * against the frame before anything it describes is read.
 *
 * <p><b>Checksum completion.</b> For a frame that needs only its checksum ({@code NEEDS_CSUM}, no
 * GSO) the Internet checksum is computed from {@code csum_start} to the end, the sender's
 * pseudo-header sum already in the field included, and stored at {@code csum_start + csum_offset}
 * (a zero result as 0xffff, which means the same in ones' complement and is what UDP needs).
 *
 * <p><b>Head and tail.</b> Each output frame is described as a <em>head</em>, the header bytes that
 * differ from the source and are written into the caller's buffer by {@link #writeHead}, and a
 * <em>tail</em>, a range of the source frame that follows unchanged ({@link #tailOffset},
 * {@link #tailLength}). A sender that can gather (a tunnel's {@code sendmmsg}) sends the payload
 * from where it lies, with no copy; {@link #write} puts both together for one that cannot. The
 * outer VLAN tag can be left out of every output frame on the way ({@code dropOuterTag}), as a
 * VXLAN tunnel needs. The source frame is only read.
 *
 * <p>An instance holds what {@link #prepare} parsed, so it belongs to one thread at a time (a
 * {@link ScratchLanes} lane, a capture under its lock); it allocates nothing.
 */
public final class Segmenter {
    /** {@link #prepare}'s answer for a frame it cannot turn into wire frames. */
    public static final int UNSUPPORTED = -1;
    /** The most header bytes {@link #writeHead} writes for one output frame. */
    public static final int MAX_HEAD = 192;

    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;
    private static final int TCP_ACK = 0x10;
    /** Flags with which a receiver does not merge a segment: it keeps a full checksum. */
    private static final int TCP_MERGE_BLOCKERS = 0x01 | 0x02 | 0x04 | 0x20 | TCP_CWR;
    private static final int IPV4_MIN_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int TCP_MIN_HEADER = 20;
    private static final int UDP_HEADER = 8;

    private static final int PLAIN = 0;
    private static final int CSUM = 1;
    /** The smallest TCP segment payload a frame bound may cut to (RFC 879's default MSS). */
    static final int MIN_TCP_SEGMENT = 536;
    private static final int TCP = 2;
    private static final int UDP = 3;

    private ByteBuffer src;
    private int eth;
    private int end;
    private int kind;
    private boolean v6;
    /** Bytes of the outer tag left out of every output frame: 0 or 4. */
    private int dropTag;
    private int l3;
    private int ipLength;
    private int l4;
    private int l4Length;
    private int payloadStart;
    private int payload;
    private int mss;
    private int count;
    private int csumStart;
    private int csumAt;
    private int ipId;
    private int seq;
    private boolean partialTcp;

    /**
     * Parses the offload request of the frame at {@code frame} ({@code length} bytes, its vnet
     * header at {@code vnetHeader}) and returns how many frames it becomes: 1 for a plain frame or
     * one needing only its checksum, the segment count for a GSO frame, or {@link #UNSUPPORTED}.
     *
     * @param dropOuterTag leave the frame's outer VLAN tag, if it has one, out of every output frame
     */
    public int prepare(ByteBuffer buf, int vnetHeader, int frame, int length, boolean dropOuterTag) {
        return prepare(buf, vnetHeader, frame, length, dropOuterTag, 0);
    }

    /**
     * As {@link #prepare(ByteBuffer, int, int, int, boolean)}, with TCP segments cut no longer than
     * {@code maxFrame} bytes (Ethernet header included; 0 for no bound). A guest negotiates its TCP
     * MSS for its own link, which is longer than a tunnel's underlay leaves room for; smaller
     * segments are still a valid TCP stream, so a TCP super-frame, and a single TCP segment longer
     * than the bound, is cut to fit instead of being dropped. UDP GSO segments are datagrams whose
     * boundaries the sender chose, and any other frame is what it is: neither is ever cut, and a
     * caller drops what exceeds its bound ({@link #largest()}).
     */
    public int prepare(ByteBuffer buf, int vnetHeader, int frame, int length, boolean dropOuterTag, int maxFrame) {
        src = buf;
        eth = frame;
        end = frame + length;
        count = 0;
        dropTag = 0;
        if (length < Ethernet.HEADER_LEN) {
            return UNSUPPORTED;
        }
        int typeAt = frame + Ethernet.TYPE;
        int type = buf.getShort(typeAt) & 0xffff;
        int tags = 0;
        while (VlanTranslate.isTagType(type) && tags < 2) {
            if (typeAt + Ethernet.TAG_LEN + 2 > end) {
                return UNSUPPORTED;
            }
            typeAt += Ethernet.TAG_LEN;
            type = buf.getShort(typeAt) & 0xffff;
            tags++;
        }
        if (dropOuterTag && tags > 0) {
            dropTag = Ethernet.TAG_LEN;
        }
        l3 = typeAt + 2;
        int flags = VnetHeader.flags(buf, vnetHeader);
        int gso = VnetHeader.gsoType(buf, vnetHeader) & ~VnetHeader.GSO_ECN;
        if (gso == VnetHeader.GSO_NONE) {
            if (maxFrame > 0 && length - dropTag > maxFrame && cutsTcp(buf, type, maxFrame)) {
                return count;
            }
            if ((flags & VnetHeader.F_NEEDS_CSUM) == 0) {
                kind = PLAIN;
                return count = 1;
            }
            csumStart = frame + VnetHeader.getLe16(buf, vnetHeader + VnetHeader.CSUM_START);
            csumAt = csumStart + VnetHeader.getLe16(buf, vnetHeader + VnetHeader.CSUM_OFFSET);
            if (csumStart < l3 || csumAt + 2 > end || csumAt + 2 - eth - dropTag > MAX_HEAD) {
                return UNSUPPORTED;
            }
            kind = CSUM;
            return count = 1;
        }
        mss = VnetHeader.getLe16(buf, vnetHeader + VnetHeader.GSO_SIZE);
        if (mss == 0 || !parseIp(buf, type)) {
            return UNSUPPORTED;
        }
        int protocol = v6 ? buf.get(l3 + 6) & 0xff : buf.get(l3 + 9) & 0xff;
        boolean supported = switch (gso) {
            case VnetHeader.GSO_TCPV4 -> !v6 && protocol == 6;
            case VnetHeader.GSO_TCPV6 -> v6 && protocol == 6;
            case VnetHeader.GSO_UDP_L4 -> protocol == 17;
            default -> false;
        };
        if (!supported) {
            return UNSUPPORTED;
        }
        l4 = l3 + ipLength;
        if (protocol == 6) {
            if (l4 + TCP_MIN_HEADER > end) {
                return UNSUPPORTED;
            }
            l4Length = ((buf.get(l4 + 12) & 0xff) >>> 4) * 4;
            if (l4Length < TCP_MIN_HEADER || l4 + l4Length > end) {
                return UNSUPPORTED;
            }
            kind = TCP;
            seq = buf.getInt(l4 + 4);
        } else {
            if (l4 + UDP_HEADER > end) {
                return UNSUPPORTED;
            }
            l4Length = UDP_HEADER;
            kind = UDP;
        }
        if (headLength() > MAX_HEAD) {
            return UNSUPPORTED;
        }
        payloadStart = l4 + l4Length;
        payload = end - payloadStart;
        if (kind == TCP && maxFrame > 0 && headLength() + mss > maxFrame && maxFrame - headLength() >= MIN_TCP_SEGMENT) {
            mss = maxFrame - headLength();
        }
        count = Math.max(1, (payload + mss - 1) / mss);
        return count;
    }

    /**
     * Whether the frame, one that is no GSO frame but longer than {@code maxFrame}, is a single TCP
     * segment that can be cut into segments of at least {@link #MIN_TCP_SEGMENT} bytes that fit; if
     * so it is prepared as a TCP GSO frame of that MSS. A host with a 1500-byte MTU sends full-sized
     * segments one at a time too (a lone segment, a retransmission), not only in super-frames: were
     * those dropped, its connection would stall, retransmitting the same segment forever. Anything
     * else (a frame padded beyond its IP length, a fragment, IPv6 with extension headers) is left as
     * it is, for the caller to drop.
     */
    private boolean cutsTcp(ByteBuffer buf, int type, int maxFrame) {
        if (!parseIp(buf, type)) {
            return false;
        }
        int protocol = v6 ? buf.get(l3 + 6) & 0xff : buf.get(l3 + 9) & 0xff;
        int ipEnd = v6 ? l3 + IPV6_HEADER + (buf.getShort(l3 + 4) & 0xffff) : l3 + (buf.getShort(l3 + 2) & 0xffff);
        l4 = l3 + ipLength;
        if (protocol != 6 || ipEnd != end || l4 + TCP_MIN_HEADER > end) {
            return false;
        }
        l4Length = ((buf.get(l4 + 12) & 0xff) >>> 4) * 4;
        if (l4Length < TCP_MIN_HEADER || l4 + l4Length > end || headLength() > MAX_HEAD
                || maxFrame - headLength() < MIN_TCP_SEGMENT) {
            return false;
        }
        kind = TCP;
        seq = buf.getInt(l4 + 4);
        payloadStart = l4 + l4Length;
        payload = end - payloadStart;
        mss = maxFrame - headLength();
        count = Math.max(1, (payload + mss - 1) / mss);
        return true;
    }

    /** Checks the IP header at {@link #l3} for an IPv4 or IPv6 frame whose L4 header follows it directly. */
    private boolean parseIp(ByteBuffer buf, int type) {
        if (type == Ethernet.ETH_P_IPV4) {
            if (l3 + IPV4_MIN_HEADER > end) {
                return false;
            }
            int versionIhl = buf.get(l3) & 0xff;
            ipLength = (versionIhl & 0xf) * 4;
            if (versionIhl >>> 4 != 4 || ipLength < IPV4_MIN_HEADER || l3 + ipLength > end) {
                return false;
            }
            if ((buf.getShort(l3 + 6) & 0x3fff) != 0) {
                return false; // a fragment (MF or an offset): nothing to segment
            }
            v6 = false;
            ipId = buf.getShort(l3 + 4) & 0xffff;
            return true;
        }
        if (type == Ethernet.ETH_P_IPV6) {
            if (l3 + IPV6_HEADER > end || (buf.get(l3) & 0xff) >>> 4 != 6) {
                return false;
            }
            ipLength = IPV6_HEADER;
            v6 = true;
            return true;
        }
        return false;
    }

    /**
     * From now on, TCP segments of a GSO frame that a receiver could merge again (ACK set; none of
     * SYN, FIN, RST, URG, CWR; a payload; IPv4 without options or IPv6) get only the pseudo-header
     * sum in their checksum field, as a partial checksum has it, instead of the full checksum:
     * for a receiver that completes them itself (a tapswitch tunnel endpoint that said so), which
     * spares summing every payload byte here. Everything else keeps full checksums.
     */
    public void partialTcpChecksums(boolean partial) {
        partialTcp = partial;
    }

    /** How many frames the last {@link #prepare} found (0 after it answered {@link #UNSUPPORTED}). */
    public int count() {
        return count;
    }

    /** Whether the last prepared frame was a GSO frame (as opposed to a plain or checksum-only one). */
    public boolean segments() {
        return kind == TCP || kind == UDP;
    }

    /** Bytes of the L2 header an output frame starts with: the MACs, any tags kept, the EtherType. */
    private int l2Out() {
        return l3 - eth - dropTag;
    }

    /** Length of every head of a GSO frame: L2 (tags left out as asked), IP and L4 headers. */
    private int headLength() {
        return l2Out() + ipLength + l4Length;
    }

    /** Payload bytes of segment {@code i} of a GSO frame. */
    private int segmentLength(int i) {
        return Math.min(mss, payload - i * mss);
    }

    /** Length of the longest output frame, for a caller that must fit them in an MTU. */
    public int largest() {
        return switch (kind) {
            case TCP, UDP -> headLength() + Math.min(mss, payload);
            default -> end - eth - dropTag;
        };
    }

    /** Length of output frame {@code i}: its head and its tail. */
    public int length(int i) {
        return headLengthOf(i) + tailLength(i);
    }

    private int headLengthOf(int i) {
        return switch (kind) {
            case PLAIN -> Ethernet.TYPE;
            case CSUM -> csumAt + 2 - eth - dropTag;
            default -> headLength();
        };
    }

    /** Offset, in the source buffer, of the bytes that follow output frame {@code i}'s head unchanged. */
    public int tailOffset(int i) {
        return switch (kind) {
            case PLAIN -> eth + Ethernet.TYPE + dropTag;
            case CSUM -> csumAt + 2;
            default -> payloadStart + i * mss;
        };
    }

    /** How many source bytes follow output frame {@code i}'s head. */
    public int tailLength(int i) {
        return switch (kind) {
            case PLAIN -> end - (eth + Ethernet.TYPE + dropTag);
            case CSUM -> end - (csumAt + 2);
            default -> segmentLength(i);
        };
    }

    /**
     * Writes the head of output frame {@code i} into {@code dst} at {@code at} (at most
     * {@link #MAX_HEAD} bytes) and returns its length. {@code dst} must be in network order.
     */
    public int writeHead(int i, ByteBuffer dst, int at) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("output frame " + i + " of " + count);
        }
        dst.put(at, src, eth, Ethernet.TYPE);
        int o = at + Ethernet.TYPE;
        int l2Rest = eth + Ethernet.TYPE + dropTag;
        if (kind == PLAIN) {
            return Ethernet.TYPE;
        }
        if (kind == CSUM) {
            int n = csumAt + 2 - l2Rest;
            dst.put(o, src, l2Rest, n);
            o += n;
            int sum = InternetChecksum.finish(InternetChecksum.add(src, csumStart, end - csumStart, 0));
            dst.putShort(o - 2, (short) (sum == 0 ? 0xffff : sum));
            return o - at;
        }
        dst.put(o, src, l2Rest, l3 - l2Rest);
        o += l3 - l2Rest;
        int ipAt = o;
        int l4At = ipAt + ipLength;
        dst.put(ipAt, src, l3, ipLength + l4Length);
        int segment = segmentLength(i);
        int l4Total = l4Length + segment;
        long pseudo;
        if (v6) {
            dst.putShort(ipAt + 4, (short) l4Total);
            pseudo = InternetChecksum.add(src, l3 + 8, 32, 0);
        } else {
            dst.putShort(ipAt + 2, (short) (ipLength + l4Total));
            dst.putShort(ipAt + 4, (short) (ipId + i));
            dst.putShort(ipAt + 10, (short) 0);
            dst.putShort(ipAt + 10, (short) InternetChecksum.finish(InternetChecksum.add(dst, ipAt, ipLength, 0)));
            pseudo = InternetChecksum.add(src, l3 + 12, 8, 0);
        }
        int checkAt;
        if (kind == TCP) {
            pseudo = InternetChecksum.add16(pseudo, 6);
            dst.putInt(l4At + 4, seq + i * mss);
            int tcpFlags = dst.get(l4At + 13) & 0xff;
            if (i < count - 1) {
                tcpFlags &= ~(TCP_FIN | TCP_PSH);
            }
            if (i > 0) {
                tcpFlags &= ~TCP_CWR;
            }
            dst.put(l4At + 13, (byte) tcpFlags);
            checkAt = l4At + 16;
        } else {
            pseudo = InternetChecksum.add16(pseudo, 17);
            dst.putShort(l4At + 4, (short) l4Total);
            checkAt = l4At + 6;
        }
        pseudo = InternetChecksum.add16(pseudo, l4Total);
        if (kind == TCP && partialTcp && mergeable(i, dst, ipAt, l4At)) {
            dst.putShort(checkAt, (short) InternetChecksum.fold(pseudo));
            return l4At + l4Length - at;
        }
        dst.putShort(checkAt, (short) 0);
        long sum = InternetChecksum.add(dst, l4At, l4Length, pseudo);
        sum = InternetChecksum.add(src, tailOffset(i), segment, sum);
        int check = InternetChecksum.finish(sum);
        dst.putShort(checkAt, (short) (check == 0 && kind == UDP ? 0xffff : check));
        return l4At + l4Length - at;
    }

    /**
     * Whether segment {@code i}, its head written at {@code ipAt}/{@code l4At}, has the form a
     * receiving {@link Coalescer} merges (and so completes a partial checksum of): untagged, long
     * enough to need no padding, IPv4 without options and unfragmented (DF at most) or IPv6, ACK
     * set and none of SYN, FIN, RST, URG, CWR, a payload.
     */
    private boolean mergeable(int i, ByteBuffer dst, int ipAt, int l4At) {
        int segment = segmentLength(i);
        return segment > 0 && l2Out() == Ethernet.HEADER_LEN && headLength() + segment >= Ethernet.MIN_FRAME
                && (v6 || ipLength == IPV4_MIN_HEADER && (dst.getShort(ipAt + 6) & 0xbfff) == 0)
                && (dst.get(l4At + 13) & (TCP_MERGE_BLOCKERS | TCP_ACK)) == TCP_ACK;
    }

    /** Writes output frame {@code i} whole (head, then its tail copied) into {@code dst} at {@code at}; returns its length. */
    public int write(int i, ByteBuffer dst, int at) {
        int head = writeHead(i, dst, at);
        int tail = tailLength(i);
        dst.put(at + head, src, tailOffset(i), tail);
        return head + tail;
    }
}
