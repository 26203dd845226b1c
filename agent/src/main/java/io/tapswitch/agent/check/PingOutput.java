package io.tapswitch.agent.check;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary busybox {@code ping} prints, e.g. {@code 3 packets transmitted, 3 packets received,
 * 0% packet loss} and {@code round-trip min/avg/max = 0.5/1.2/2.0 ms}.
 *
 * @param transmitted echo requests sent
 * @param received    replies received
 * @param avgRttMs    average round trip in ms, or -1 when nothing came back
 */
record PingOutput(int transmitted, int received, double avgRttMs) {
    private static final Pattern COUNTS = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");
    private static final Pattern RTT = Pattern.compile("min/avg/max = [\\d.]+/([\\d.]+)/[\\d.]+ ms");

    /** The seconds busybox ping waits between requests: short, so a check of 100 pings takes 20 s. */
    static final String INTERVAL = "0.2";

    /**
     * A busybox ping command line that ends on its own: {@code count} requests 0.2 s apart, at most
     * 2 s of waiting for the last reply.
     */
    static String command(String address, int count, Integer size) {
        int deadline = (int) Math.ceil(count * 0.2) + 3;
        return "ping -c " + count + " -i " + INTERVAL + " -W 2 -w " + deadline
                + (size == null ? "" : " -s " + size) + " " + address;
    }

    /** How long to give {@link #command} on a slow (TCG) guest's console. */
    static java.time.Duration timeout(int count) {
        return java.time.Duration.ofSeconds((long) Math.ceil(count * 0.2) + 25);
    }

    /** Parses ping's output; an output without a summary (ping could not start) counts as nothing sent. */
    static PingOutput parse(String output) {
        Matcher m = COUNTS.matcher(output);
        if (!m.find()) {
            return new PingOutput(0, 0, -1);
        }
        Matcher rtt = RTT.matcher(output);
        double avg = rtt.find() ? Double.parseDouble(rtt.group(1)) : -1;
        return new PingOutput(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), avg);
    }

    /** {@code 3/3 received, rtt avg 1.2 ms}. */
    String describe() {
        return received + "/" + transmitted + " received" + (avgRttMs >= 0 ? String.format(java.util.Locale.ROOT, ", rtt avg %.1f ms", avgRttMs) : "");
    }
}
