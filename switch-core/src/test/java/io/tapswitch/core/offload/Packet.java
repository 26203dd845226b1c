package io.tapswitch.core.offload;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds TCP and UDP frames over IPv4 or IPv6, behind any VLAN tags, byte by byte, and loads them
 * into a {@link Frame} with the virtio-net header a guest would give them (GSO, partial checksum).
 * Checksums here are computed by a plain loop of its own ({@link #sum}), so that tests check the
 * segmenter against an independent computation. For tests only.
 */
public final class Packet {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int CWR = 0x80;

    private long dst = 0x0200_0000_0002L;
    private long src = 0x0200_0000_0001L;
    private final List<int[]> tags = new ArrayList<>();
    private boolean v6;
    private int protocol = 6;
    private int ipId = 0x1234;
    private int ipOptions;
    private int tcpOptions;
    private int seq = 0x10000000;
    private int flags = ACK;
    private boolean hopByHop;
    private byte[] payload = new byte[0];
    private int vnetFlags;
    private int gsoType;
    private int gsoSize;

    public static Packet tcp4() {
        return new Packet();
    }

    public static Packet tcp6() {
        Packet p = new Packet();
        p.v6 = true;
        return p;
    }

    public static Packet udp4() {
        Packet p = new Packet();
        p.protocol = 17;
        return p;
    }

    public static Packet udp6() {
        Packet p = udp4();
        p.v6 = true;
        return p;
    }

    public Packet macs(long dstMac, long srcMac) {
        this.dst = dstMac;
        this.src = srcMac;
        return this;
    }

    public Packet tag(int tpid, int tci) {
        tags.add(new int[] {tpid, tci});
        return this;
    }

    public Packet ipId(int id) {
        this.ipId = id;
        return this;
    }

    public Packet ipOptions(int bytes) {
        this.ipOptions = bytes;
        return this;
    }

    public Packet tcpOptions(int bytes) {
        this.tcpOptions = bytes;
        return this;
    }

    public Packet seq(int s) {
        this.seq = s;
        return this;
    }

    public Packet flags(int f) {
        this.flags = f;
        return this;
    }

    /** An IPv6 hop-by-hop options header before TCP (which the segmenter does not walk). */
    public Packet hopByHop() {
        this.hopByHop = true;
        return this;
    }

    public Packet payload(byte[] bytes) {
        this.payload = bytes.clone();
        return this;
    }

    /** A payload of {@code n} bytes of a pattern that differs at every position for a while. */
    public Packet payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + i / 251);
        }
        return payload(b);
    }

    /** Marks the frame a GSO super-frame of {@code type} cut at {@code mss} (NEEDS_CSUM set, as guests do). */
    public Packet gso(int type, int mss) {
        this.gsoType = type;
        this.gsoSize = mss;
        this.vnetFlags = VnetHeader.F_NEEDS_CSUM;
        return this;
    }

    /** Marks the frame as needing its L4 checksum (the field then holds the pseudo-header sum). */
    public Packet needsChecksum() {
        this.vnetFlags = VnetHeader.F_NEEDS_CSUM;
        return this;
    }

    public int l2Length() {
        return 14 + 4 * tags.size();
    }

    public int ipHeaderLength() {
        return v6 ? 40 + (hopByHop ? 8 : 0) : 20 + ipOptions;
    }

    public int l4HeaderLength() {
        return protocol == 6 ? 20 + tcpOptions : 8;
    }

    public int headerLength() {
        return l2Length() + ipHeaderLength() + l4HeaderLength();
    }

    public byte[] payloadBytes() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /** The TCP sequence number of the first payload byte. */
    public int seq() {
        return seq;
    }

    /** The IPv4 identification field. */
    public int ipId() {
        return ipId;
    }

    /** The TCP flags byte. */
    public int tcpFlags() {
        return flags;
    }

    /** The frame's bytes, with a complete L4 checksum unless it is marked for offload. */
    public byte[] build() {
        ByteBuffer b = ByteBuffer.allocate(headerLength() + payload.length);
        b.putInt((int) (dst >>> 16)).putShort((short) dst);
        b.putInt((int) (src >>> 16)).putShort((short) src);
        for (int[] t : tags) {
            b.putShort((short) t[0]).putShort((short) t[1]);
        }
        b.putShort((short) (v6 ? 0x86dd : 0x0800));
        int l3 = b.position();
        int l4Total = l4HeaderLength() + payload.length;
        if (v6) {
            b.putInt(0x60000000 | 0x12345);
            b.putShort((short) (l4Total + (hopByHop ? 8 : 0)));
            b.put((byte) (hopByHop ? 0 : protocol)).put((byte) 64);
            for (int i = 0; i < 16; i++) {
                b.put((byte) (i == 0 ? 0xfd : i == 15 ? 1 : 0x10 + i));
            }
            for (int i = 0; i < 16; i++) {
                b.put((byte) (i == 0 ? 0xfd : i == 15 ? 2 : 0x10 + i));
            }
            if (hopByHop) {
                b.put((byte) protocol).put((byte) 0).putShort((short) 0x0104).putInt(0);
            }
        } else {
            b.put((byte) (0x40 | (5 + ipOptions / 4))).put((byte) 0);
            b.putShort((short) (ipHeaderLength() + l4Total));
            b.putShort((short) ipId).putShort((short) 0x4000);
            b.put((byte) 64).put((byte) protocol).putShort((short) 0);
            b.putInt(0xc6120001).putInt(0xc6120002);
            for (int i = 0; i < ipOptions; i++) {
                b.put((byte) 1); // NOP options
            }
            b.putShort(l3 + 10, (short) ~fold(sum(b.array(), l3, ipHeaderLength(), 0)));
        }
        int l4 = b.position();
        if (protocol == 6) {
            b.putShort((short) 40000).putShort((short) 5001).putInt(seq).putInt(0x20000000);
            b.put((byte) ((5 + tcpOptions / 4) << 4)).put((byte) flags).putShort((short) 65000);
            b.putShort((short) 0).putShort((short) 0);
            for (int i = 0; i < tcpOptions; i++) {
                b.put((byte) 1);
            }
        } else {
            b.putShort((short) 40000).putShort((short) 5001).putShort((short) l4Total).putShort((short) 0);
        }
        b.put(payload);
        byte[] bytes = b.array();
        int checkAt = l4 + (protocol == 6 ? 16 : 6);
        long pseudo = pseudo(bytes, l3, v6, protocol, l4Total);
        int check = vnetFlags != 0 ? fold(pseudo) : ~fold(sum(bytes, l4, l4Total, pseudo)) & 0xffff;
        bytes[checkAt] = (byte) (check >>> 8);
        bytes[checkAt + 1] = (byte) check;
        return bytes;
    }

    /** Loads the frame into {@code frame} with its vnet header filled in as a guest would. */
    public Frame load(Frame frame) {
        frame.load(build());
        ByteBuffer buf = frame.buffer();
        int hdr = frame.start();
        buf.put(hdr + VnetHeader.FLAGS, (byte) vnetFlags);
        buf.put(hdr + VnetHeader.GSO_TYPE, (byte) gsoType);
        VnetHeader.putLe16(buf, hdr + VnetHeader.HDR_LEN, gsoType != 0 ? headerLength() : 0);
        VnetHeader.putLe16(buf, hdr + VnetHeader.GSO_SIZE, gsoSize);
        if (vnetFlags != 0) {
            int l4 = l2Length() + ipHeaderLength();
            VnetHeader.putLe16(buf, hdr + VnetHeader.CSUM_START, l4);
            VnetHeader.putLe16(buf, hdr + VnetHeader.CSUM_OFFSET, protocol == 6 ? 16 : 6);
        }
        return frame;
    }

    /** The pseudo-header sum of the IP header at {@code l3} for {@code l4Total} bytes of {@code protocol}. */
    public static long pseudo(byte[] bytes, int l3, boolean v6, int protocol, int l4Total) {
        long s = v6 ? sum(bytes, l3 + 8, 32, 0) : sum(bytes, l3 + 12, 8, 0);
        return s + protocol + l4Total;
    }

    /** 16-bit big-endian words of {@code bytes[from, from + len)} added to {@code initial}, one by one. */
    public static long sum(byte[] bytes, int from, int len, long initial) {
        long s = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = bytes[from + i] & 0xff;
            int lo = i + 1 < len ? bytes[from + i + 1] & 0xff : 0;
            s += hi << 8 | lo;
        }
        return s;
    }

    public static int fold(long s) {
        while (s > 0xffff) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** Concatenation, for reassembling payloads. */
    public static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
