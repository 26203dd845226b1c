package io.tapswitch.bench;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.fdb.MacTable;

/**
 * Builds the frames and addresses the benchmarks feed the datapath, once, during setup.
 *
 * <p>Frames are 60 bytes, the Ethernet minimum without FCS: the "64-byte frame" of RFC 2544 on the
 * wire. Station MACs are locally administered unicast addresses numbered from 1, so any count of
 * them is distinct and learnable.
 */
final class TestFrames {
    /** Length of the Ethernet frame (64 bytes on the wire with the FCS). */
    static final int LENGTH = Ethernet.MIN_FRAME;
    private static final long STATION_BASE = 0x0274_7362_0000L;

    private TestFrames() {
    }

    /** The MAC of station {@code n} (n ≥ 0). */
    static long station(int n) {
        return STATION_BASE + n + 1;
    }

    /** An untagged IPv4 frame from {@code src} to {@code dst}, received on port {@code inPort}. */
    static Frame untagged(long dst, long src, int inPort) {
        byte[] bytes = new byte[LENGTH];
        putMac(bytes, Ethernet.DST, dst);
        putMac(bytes, Ethernet.SRC, src);
        putShort(bytes, Ethernet.TYPE, Ethernet.ETH_P_IPV4);
        for (int i = Ethernet.HEADER_LEN; i < LENGTH; i++) {
            bytes[i] = (byte) i;
        }
        return load(bytes, inPort);
    }

    /** A frame with one 802.1Q tag of {@code vid}, received on port {@code inPort}. */
    static Frame tagged(long dst, long src, int vid, int inPort) {
        byte[] bytes = new byte[LENGTH + Ethernet.TAG_LEN];
        putMac(bytes, Ethernet.DST, dst);
        putMac(bytes, Ethernet.SRC, src);
        putShort(bytes, Ethernet.TYPE, Ethernet.ETH_P_8021Q);
        putShort(bytes, Ethernet.TCI, vid);
        putShort(bytes, Ethernet.INNER_TYPE, Ethernet.ETH_P_IPV4);
        return load(bytes, inPort);
    }

    private static Frame load(byte[] bytes, int inPort) {
        Frame frame = new Frame(MacTable.MAX_PORTS);
        frame.load(bytes);
        frame.inPort = inPort;
        return frame;
    }

    private static void putMac(byte[] b, int at, long mac) {
        for (int i = 0; i < Ethernet.ADDRESS_LEN; i++) {
            b[at + i] = (byte) (mac >>> (8 * (Ethernet.ADDRESS_LEN - 1 - i)));
        }
    }

    private static void putShort(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }
}
