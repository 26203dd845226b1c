package io.tapswitch.core.vlan;

import java.util.Arrays;

/**
 * An immutable set of VLAN IDs 1–4094, as a 4096-bit map: membership is one shift and one mask,
 * fast enough to test on every frame. Parsed from and printed as ranges ({@code 10,20-29}).
 */
public final class VlanSet {
    public static final int MIN_VID = 1;
    public static final int MAX_VID = 4094;
    /** The empty set, which allowed lists read as "all VLANs". */
    public static final VlanSet EMPTY = new VlanSet(new long[64]);

    private final long[] bits;

    private VlanSet(long[] bits) {
        this.bits = bits;
    }

    public static VlanSet of(int... vids) {
        long[] b = new long[64];
        for (int vid : vids) {
            checkVid(vid, Integer.toString(vid));
            b[vid >>> 6] |= 1L << (vid & 63);
        }
        return new VlanSet(b);
    }

    /**
     * Parses {@code "10,20-29"}. Blank means empty.
     *
     * @throws IllegalArgumentException saying which part is wrong
     */
    public static VlanSet parse(String text) {
        long[] b = new long[64];
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        for (String part : text.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            int lo;
            int hi;
            try {
                if (dash > 0) {
                    lo = Integer.parseInt(p.substring(0, dash).trim());
                    hi = Integer.parseInt(p.substring(dash + 1).trim());
                } else {
                    lo = Integer.parseInt(p);
                    hi = lo;
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' is not a VLAN ID or range like 20-29");
            }
            checkVid(lo, p);
            checkVid(hi, p);
            if (lo > hi) {
                throw new IllegalArgumentException("range '" + p + "' is reversed");
            }
            for (int v = lo; v <= hi; v++) {
                b[v >>> 6] |= 1L << (v & 63);
            }
        }
        return new VlanSet(b);
    }

    private static void checkVid(int vid, String text) {
        if (vid < MIN_VID || vid > MAX_VID) {
            throw new IllegalArgumentException("VLAN ID " + text + " is outside 1-4094");
        }
    }

    public boolean contains(int vid) {
        return vid >= 0 && vid < 4096 && (bits[vid >>> 6] & (1L << (vid & 63))) != 0;
    }

    public boolean isEmpty() {
        for (long w : bits) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether an allowed list admits {@code vid}: the empty list admits every valid VID. */
    public boolean allows(int vid) {
        return vid >= MIN_VID && vid <= MAX_VID && (isEmpty() || contains(vid));
    }

    public int[] toArray() {
        return java.util.stream.IntStream.rangeClosed(MIN_VID, MAX_VID).filter(this::contains).toArray();
    }

    /** Ranges, like {@code 10,20-29}; empty string for the empty set. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int v = MIN_VID;
        while (v <= MAX_VID) {
            if (!contains(v)) {
                v++;
                continue;
            }
            int start = v;
            while (v + 1 <= MAX_VID && contains(v + 1)) {
                v++;
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(start);
            if (v > start) {
                sb.append('-').append(v);
            }
            v++;
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VlanSet other && Arrays.equals(bits, other.bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits);
    }
}
