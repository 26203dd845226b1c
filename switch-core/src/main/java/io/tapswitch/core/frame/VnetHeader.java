package io.tapswitch.core.frame;

import java.nio.ByteBuffer;

/**
 * {@code struct virtio_net_hdr} (linux/virtio_net.h), the 10-byte offload descriptor that precedes
 * every frame on a TAP opened with IFF_VNET_HDR and on an AF_PACKET socket with PACKET_VNET_HDR.
 *
 * <p>It says whether the frame still needs its L4 checksum filled in ({@link #F_NEEDS_CSUM}, with
 * the offsets to do it) and whether it is a GSO super-frame to be cut into {@code gso_size}
 * segments. Carrying it from ingress to egress lets a 64 KB TCP burst cross the switch as one
 * frame, which is what makes a user-space switch fast and what keeps TCP working with virtio guests.
 * Fields are little-endian (the host's order) on the devices we open.
 */
public final class VnetHeader {
    public static final int LEN = 10;

    public static final int FLAGS = 0;
    public static final int GSO_TYPE = 1;
    public static final int HDR_LEN = 2;
    public static final int GSO_SIZE = 4;
    public static final int CSUM_START = 6;
    public static final int CSUM_OFFSET = 8;

    public static final int F_NEEDS_CSUM = 1;
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    private VnetHeader() {
    }

    public static void clear(ByteBuffer buf, int hdr) {
        buf.putLong(hdr, 0L);
        buf.putShort(hdr + 8, (short) 0);
    }

    public static int flags(ByteBuffer buf, int hdr) {
        return buf.get(hdr + FLAGS) & 0xff;
    }

    public static int gsoType(ByteBuffer buf, int hdr) {
        return buf.get(hdr + GSO_TYPE) & 0xff;
    }

    /** Whether the frame is anything but a plain, complete frame. */
    public static boolean hasOffload(ByteBuffer buf, int hdr) {
        return (flags(buf, hdr) & F_NEEDS_CSUM) != 0 || gsoType(buf, hdr) != GSO_NONE;
    }

    /**
     * Moves the L3/L4 offsets after {@code delta} bytes were inserted (positive) or removed
     * (negative) in front of them, as when a VLAN tag is pushed or popped.
     */
    public static void shiftOffsets(ByteBuffer buf, int hdr, int delta) {
        if ((flags(buf, hdr) & F_NEEDS_CSUM) != 0) {
            putLe16(buf, hdr + CSUM_START, getLe16(buf, hdr + CSUM_START) + delta);
        }
        if (gsoType(buf, hdr) != GSO_NONE) {
            putLe16(buf, hdr + HDR_LEN, getLe16(buf, hdr + HDR_LEN) + delta);
        }
    }

    public static int getLe16(ByteBuffer buf, int offset) {
        return (buf.get(offset) & 0xff) | (buf.get(offset + 1) & 0xff) << 8;
    }

    public static void putLe16(ByteBuffer buf, int offset, int value) {
        buf.put(offset, (byte) value);
        buf.put(offset + 1, (byte) (value >>> 8));
    }
}
