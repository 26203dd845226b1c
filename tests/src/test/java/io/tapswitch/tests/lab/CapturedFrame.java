package io.tapswitch.tests.lab;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One frame as a lab host's {@code tcpdump -e -n} printed it.
 *
 * <p>Switch scenarios are about which frames reach which host, so the Ethernet header is
 * parsed into fields that assertions can compare, while the rest of tcpdump's line is kept as
 * text for protocol-level checks such as "who-has 198.18.0.2".
 *
 * @param source the source MAC address, lower case
 * @param destination the destination MAC address, lower case
 * @param etherType the EtherType of the outermost header, or -1 for 802.3 length-framed frames
 * @param length the frame length tcpdump reported
 * @param summary tcpdump's description of the payload, after the header fields
 * @param line the complete line as tcpdump printed it
 */
public record CapturedFrame(String source, String destination, int etherType, int length, String summary, String line) {

    public static final String BROADCAST = "ff:ff:ff:ff:ff:ff";
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_IPV6 = 0x86dd;

    private static final String MAC = "[0-9a-f]{2}(?::[0-9a-f]{2}){5}";
    private static final Pattern TYPED = Pattern.compile(
            "^\\S+ (" + MAC + ") > (" + MAC + "), ethertype .*?\\((0x[0-9a-f]{4})\\), length (\\d+): ?(.*)$");
    private static final Pattern LENGTH_FRAMED = Pattern.compile(
            "^\\S+ (" + MAC + ") > (" + MAC + "), 802\\.3, length (\\d+): ?(.*)$");

    /**
     * Parses one line of {@code tcpdump -e -n} output with its default timestamp.
     *
     * @return the frame, or empty for lines that do not describe a frame (tcpdump's notices)
     */
    public static Optional<CapturedFrame> parse(String line) {
        String text = line.strip();
        Matcher typed = TYPED.matcher(text);
        if (typed.matches()) {
            return Optional.of(new CapturedFrame(typed.group(1), typed.group(2),
                    Integer.parseInt(typed.group(3).substring(2), 16), Integer.parseInt(typed.group(4)),
                    typed.group(5), text));
        }
        Matcher framed = LENGTH_FRAMED.matcher(text);
        if (framed.matches()) {
            return Optional.of(new CapturedFrame(framed.group(1), framed.group(2), -1,
                    Integer.parseInt(framed.group(3)), framed.group(4), text));
        }
        return Optional.empty();
    }

    public boolean isBroadcast() {
        return BROADCAST.equals(destination);
    }

    /** Whether the frame went from one given MAC to another, in any letter case. */
    public boolean isBetween(String sourceMac, String destinationMac) {
        return source.equals(sourceMac.toLowerCase(Locale.ROOT))
                && destination.equals(destinationMac.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return line;
    }
}
