package io.tapswitch.core.frame;

/**
 * MAC addresses packed in the low 48 bits of a {@code long}, most significant byte first, so that
 * the frame path can compare, hash and store them without objects.
 */
public final class MacAddress {
    public static final long BROADCAST = 0xffff_ffff_ffffL;
    public static final long MASK = 0xffff_ffff_ffffL;
    /** 01:80:C2:00:00:00–0F: IEEE 802.1D reserved addresses a bridge must not forward. */
    private static final long RESERVED_PREFIX = 0x0180_c200_0000L;

    private MacAddress() {
    }

    /** Group (multicast or broadcast) addresses have the I/G bit, the lowest bit of the first byte. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    public static boolean isBroadcast(long mac) {
        return mac == BROADCAST;
    }

    /** Addresses a bridge may never learn: group addresses and the all-zero address. */
    public static boolean isLearnable(long mac) {
        return mac != 0 && !isMulticast(mac);
    }

    /** 01:80:C2:00:00:00 to 01:80:C2:00:00:0F (STP, pause, LACP, LLDP, 802.1X…). */
    public static boolean isBridgeReserved(long mac) {
        return (mac & ~0xfL) == RESERVED_PREFIX;
    }

    /** Formats as lower-case {@code aa:bb:cc:dd:ee:ff}. */
    public static String format(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (or with '-'), case-insensitive.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static long parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("MAC address '" + text + "' is not of the form aa:bb:cc:dd:ee:ff");
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(text.charAt(i * 3), 16);
            int lo = Character.digit(text.charAt(i * 3 + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && text.charAt(i * 3 + 2) != ':' && text.charAt(i * 3 + 2) != '-')) {
                throw new IllegalArgumentException("MAC address '" + text + "' is not of the form aa:bb:cc:dd:ee:ff");
            }
            mac = (mac << 8) | (hi << 4) | lo;
        }
        return mac;
    }
}
