package io.tapswitch.core.offload;

import java.nio.ByteBuffer;

/**
 * The Internet checksum of RFC 1071: the ones' complement of the ones' complement sum of 16-bit
 * big-endian words, as IPv4 headers, TCP and UDP use it.
 *
 * <p>Sums are kept in a {@code long} accumulator and folded to 16 bits only at the end, so that the
 * sum over a segment can be assembled from pieces that live in different buffers (a pseudo-header
 * computed from addresses, headers built in a scratch buffer, a payload left in the frame) without
 * copying them together. A piece must start at an even offset from the start of the checksummed
 * data for its words to line up, which every piece the segmenter adds does: IP and TCP header
 * lengths are multiples of four and UDP's header is eight bytes. The buffer must be in network
 * order (big-endian), as frame buffers are. Nothing here allocates.
 */
public final class InternetChecksum {
    private InternetChecksum() {
    }

    /**
     * Adds the 16-bit words of {@code buf[from, from + length)} to {@code sum}; an odd last byte is
     * padded with a zero byte, as the RFC says.
     */
    public static long add(ByteBuffer buf, int from, int length, long sum) {
        int i = from;
        int end = from + length;
        // Eight bytes at a time, as two 32-bit halves: end-around carries are the same whether
        // 16-bit words or 32-bit pairs of them are added, and the long cannot overflow for 64 KB.
        // Two sums side by side in the bulk of it, so that each add need not wait for the one
        // before (about a third faster on 64 KB than one sum, measured here).
        long even = 0;
        long odd = 0;
        while (i + 16 <= end) {
            long v = buf.getLong(i);
            long w = buf.getLong(i + 8);
            even += (v >>> 32) + (v & 0xffffffffL);
            odd += (w >>> 32) + (w & 0xffffffffL);
            i += 16;
        }
        sum += even + odd;
        while (i + 8 <= end) {
            long v = buf.getLong(i);
            sum += (v >>> 32) + (v & 0xffffffffL);
            i += 8;
        }
        if (i + 4 <= end) {
            sum += buf.getInt(i) & 0xffffffffL;
            i += 4;
        }
        if (i + 2 <= end) {
            sum += buf.getShort(i) & 0xffff;
            i += 2;
        }
        if (i < end) {
            sum += (buf.get(i) & 0xff) << 8;
        }
        return sum;
    }

    /** Adds a 16-bit value (a length, a protocol number) to {@code sum}. */
    public static long add16(long sum, int value) {
        return sum + (value & 0xffff);
    }

    /** Adds a 32-bit value (an IPv4 address) to {@code sum}, as its two 16-bit words. */
    public static long add32(long sum, int value) {
        return sum + ((value >>> 16) & 0xffff) + (value & 0xffff);
    }

    /** Folds the carries of {@code sum} into 16 bits: the ones' complement sum. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The checksum field's value for data whose words add up to {@code sum}: the complement of the folded sum. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** Whether data including its checksum field adds up to all ones, as a receiver verifies it. */
    public static boolean verifies(long sum) {
        return fold(sum) == 0xffff;
    }
}
