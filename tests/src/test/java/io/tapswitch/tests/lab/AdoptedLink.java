package io.tapswitch.tests.lab;

/**
 * A netdev that a lab host took over, with the configuration it was given.
 *
 * @param name the interface's name inside the host
 * @param mac the MAC address it was given
 * @param ipv4Cidr its IPv4 address with prefix length, or null when it has none
 * @param ipv6Cidr its IPv6 address with prefix length, or null when it has none
 */
public record AdoptedLink(String name, String mac, String ipv4Cidr, String ipv6Cidr) {

    /** The IPv4 address without its prefix length, or null. */
    public String ipv4() {
        return withoutPrefix(ipv4Cidr);
    }

    /** The IPv6 address without its prefix length, or null. */
    public String ipv6() {
        return withoutPrefix(ipv6Cidr);
    }

    private static String withoutPrefix(String cidr) {
        if (cidr == null) {
            return null;
        }
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }
}
