package io.tapswitch.core.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the classic libpcap file format (what tcpdump, tshark and Wireshark read), link type
 * Ethernet, in the host's little-endian byte order, with microsecond or nanosecond timestamps
 * (the latter announced by the 0xa1b23c4d magic number).
 */
public final class PcapWriter {
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int GLOBAL_HEADER_LEN = 24;
    public static final int RECORD_HEADER_LEN = 16;

    private final OutputStream out;
    private final boolean nanos;
    private final ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER_LEN).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(OutputStream out, boolean nanos) {
        this.out = out;
        this.nanos = nanos;
    }

    public void writeHeader(int snaplen) throws IOException {
        header.clear();
        header.putInt(nanos ? MAGIC_NANOS : MAGIC_MICROS);
        header.putShort((short) 2);
        header.putShort((short) 4);
        header.putInt(0);
        header.putInt(0);
        header.putInt(snaplen);
        header.putInt(LINKTYPE_ETHERNET);
        out.write(header.array(), 0, GLOBAL_HEADER_LEN);
    }

    /** Writes one record; {@code epochNanos} is wall-clock time in nanoseconds since 1970. */
    public void writeRecord(long epochNanos, byte[] data, int offset, int capturedLen, int originalLen) throws IOException {
        header.clear();
        header.putInt((int) (epochNanos / 1_000_000_000L));
        long fraction = epochNanos % 1_000_000_000L;
        header.putInt((int) (nanos ? fraction : fraction / 1000));
        header.putInt(capturedLen);
        header.putInt(originalLen);
        out.write(header.array(), 0, RECORD_HEADER_LEN);
        out.write(data, offset, capturedLen);
    }

    public void flush() throws IOException {
        out.flush();
    }
}
