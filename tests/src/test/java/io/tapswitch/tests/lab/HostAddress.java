package io.tapswitch.tests.lab;

/**
 * The addresses a lab gives its host number N: MAC {@code 02:00:00:00:00:NN} (NN in hex),
 * IPv4 {@code 198.18.0.N/24} and IPv6 {@code fd00:7473::N/64} (N written in decimal digits,
 * so that both addresses of a host read alike).
 *
 * <p>The MAC is locally administered and the IP ranges are the benchmarking range and a
 * unique-local prefix, so lab traffic can never be mistaken for, or routed to, a real network.
 *
 * @param number the host's number, from 1 to 254
 */
public record HostAddress(int number) {

    public static final int IPV4_PREFIX = 24;
    public static final int IPV6_PREFIX = 64;

    public HostAddress {
        if (number < 1 || number > 254) {
            throw new IllegalArgumentException("host number must be 1..254: " + number);
        }
    }

    public String mac() {
        return String.format("02:00:00:00:00:%02x", number);
    }

    public String ipv4() {
        return "198.18.0." + number;
    }

    public String ipv4Cidr() {
        return ipv4() + "/" + IPV4_PREFIX;
    }

    public String ipv6() {
        return "fd00:7473::" + number;
    }

    public String ipv6Cidr() {
        return ipv6() + "/" + IPV6_PREFIX;
    }
}
