package io.tapswitch.core.frame;

import java.nio.ByteBuffer;

/**
 * Ethernet II and 802.1Q header layout, as offsets from the first byte of the frame.
 *
 * <p>Readers take the buffer and the frame's start offset and return primitives; nothing here
 * allocates, so the frame path may call it for every frame. Buffers are big-endian (network order).
 */
public final class Ethernet {
    public static final int DST = 0;
    public static final int SRC = 6;
    public static final int ADDRESS_LEN = 6;
    /** Offset of the EtherType, or of the TPID when the frame is tagged. */
    public static final int TYPE = 12;
    public static final int HEADER_LEN = 14;
    public static final int TAG_LEN = 4;
    /** Offset of the TCI in a tagged frame. */
    public static final int TCI = 14;
    /** Offset of the inner EtherType in a single-tagged frame. */
    public static final int INNER_TYPE = 16;
    /** Smallest frame on the wire without FCS; shorter frames must be padded before leaving a port. */
    public static final int MIN_FRAME = 60;

    public static final int ETH_P_IPV4 = 0x0800;
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_P_8021Q = 0x8100;
    public static final int ETH_P_8021AD = 0x88a8;
    public static final int ETH_P_IPV6 = 0x86dd;

    private Ethernet() {
    }

    public static long destination(ByteBuffer buf, int frame) {
        return readMac(buf, frame + DST);
    }

    public static long source(ByteBuffer buf, int frame) {
        return readMac(buf, frame + SRC);
    }

    public static int type(ByteBuffer buf, int frame) {
        return buf.getShort(frame + TYPE) & 0xffff;
    }

    public static int tci(ByteBuffer buf, int frame) {
        return buf.getShort(frame + TCI) & 0xffff;
    }

    public static long readMac(ByteBuffer buf, int offset) {
        return ((long) (buf.getInt(offset) & 0xffffffffL) << 16) | (buf.getShort(offset + 4) & 0xffff);
    }

    public static void writeMac(ByteBuffer buf, int offset, long mac) {
        buf.putInt(offset, (int) (mac >>> 16));
        buf.putShort(offset + 4, (short) mac);
    }
}
