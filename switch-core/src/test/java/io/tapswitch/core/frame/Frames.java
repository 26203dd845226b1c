package io.tapswitch.core.frame;

import java.nio.ByteBuffer;

/** Builds test frames byte by byte, so expectations are exact bytes rather than parser output. */
public final class Frames {
    private Frames() {
    }

    /** An untagged Ethernet II frame with {@code payload} bytes of a counting pattern. */
    public static byte[] ethernet(long dst, long src, int type, int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) type);
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    /** A frame with one 802.1Q/802.1ad tag. */
    public static byte[] tagged(long dst, long src, int tpid, int tci, int type, int payload) {
        ByteBuffer b = ByteBuffer.allocate(18 + payload);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) tpid);
        b.putShort((short) tci);
        b.putShort((short) type);
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    public static long mac(String text) {
        return MacAddress.parse(text);
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putInt((int) (mac >>> 16));
        b.putShort((short) mac);
    }
}
