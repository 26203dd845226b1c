package io.tapswitch.tests.netns;

import io.tapswitch.agent.config.ImpairSpec;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.state.Change;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.vlan.VlanConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Link impairments measured on the wire between two namespace hosts on TAP ports (a at .1, b at
 * .2), with ping and iperf3. Each measurement comes with its positive control: the same measurement
 * without the impairment. Directions: a port's egress is what the switch sends to its host, so a
 * ping from a to b meets b's egress on the way out and a's egress on the way back.
 */
class ImpairIT {
    private static final String PREFIX = "tsnm";
    private static final String A_PORT = PREFIX + "-a";
    private static final String B_PORT = PREFIX + "-b";
    private static final String B_IP = "198.18.118.2";
    private static final Pattern RTT = Pattern.compile("rtt min/avg/max/mdev = ([\\d.]+)/([\\d.]+)/([\\d.]+)/([\\d.]+) ms");
    private static final Pattern COUNTS = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static NsSwitch lab;
    private static Netns a;
    private static Netns b;

    @BeforeAll
    static void start() {
        Root.require();
        lab = new NsSwitch(PREFIX);
        a = lab.host("a", VlanConfig.access(10), "02:00:00:76:00:01", "198.18.118.1/24");
        b = lab.host("b", VlanConfig.access(10), "02:00:00:76:00:02", "198.18.118.2/24");
        assertThat(a.run("ping", "-c", "3", "-i", "0.2", "-W", "1", B_IP).output()).contains("3 received");
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @AfterEach
    void clear() {
        impair(A_PORT, new ImpairSpec(null, null));
        impair(B_PORT, new ImpairSpec(null, null));
    }

    private static void impair(String port, ImpairSpec spec) {
        lab.sw().control().submit(new Change.SetImpair(port, spec), null);
    }

    private static ImpairSpec egress(Double delayMs, Double lossPercent, Double duplicatePercent, Long rateKbit) {
        return new ImpairSpec(new ImpairSpec.Direction(delayMs, null, lossPercent, duplicatePercent, null, rateKbit), null);
    }

    /** min, avg, max, mdev of a ping's round trips in ms. */
    private static double[] rtt(String output) {
        Matcher m = RTT.matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))};
    }

    /** The median of a ping's {@code time=} values in ms. */
    private static double median(String output) {
        double[] times = Pattern.compile("time=([\\d.]+) ms").matcher(output).results()
                .mapToDouble(r -> Double.parseDouble(r.group(1))).sorted().toArray();
        assertThat(times).as(output).isNotEmpty();
        return times[times.length / 2];
    }

        /** Pings sent and replies received. */
    private static int[] counts(String output) {
        Matcher m = COUNTS.matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    @Test
    void twentyMillisecondsOfEgressDelayOnEachPortMakeAFortyMillisecondRoundTrip() {
        double[] before = rtt(a.run("ping", "-c", "20", "-i", "0.05", "-W", "1", B_IP).output());
        // b's egress delays the request, a's egress the reply.
        impair(A_PORT, egress(20.0, null, null, null));
        impair(B_PORT, egress(20.0, null, null, null));
        String out = a.run("ping", "-c", "20", "-i", "0.05", "-W", "1", B_IP).output();
        double[] after = rtt(out);
        double median = median(out);
        System.out.printf("ImpairIT delay: rtt without %.3f/%.3f/%.3f ms, with 20 ms egress on both ports"
                + " %.3f/%.3f/%.3f ms (min/avg/max), median %.3f ms%n", before[0], before[1], before[2], after[0],
                after[1], after[2], median);
        assertThat(before[1]).as("control: avg rtt without impairment").isLessThan(5);
        assertThat(counts(out)[1]).as(out).isEqualTo(20);
        assertThat(after[0]).as("min rtt").isGreaterThanOrEqualTo(40);
        // The loop wakes at millisecond resolution, rounded up: up to 1 ms late each way, more on a
        // busy machine. The median leaves out what load adds to a few round trips.
        assertThat(median).as("median rtt: " + out).isBetween(40.0, 45.0);
    }

    @Test
    void tenPercentLossOnOneDirectionLandsWithinABinomialBound() {
        int[] control = counts(a.run("ping", "-q", "-c", "200", "-i", "0.005", "-W", "1", B_IP).output());
        assertThat(control[1]).as("control: replies of 200 pings without impairment").isEqualTo(control[0]);
        long dropsBefore = lab.sw().port(B_PORT).stats().txDrops(Reason.DROP_IMPAIR_LOSS);
        // Only requests are lost (b's egress): each ping is lost with probability 0.1.
        impair(B_PORT, egress(null, 10.0, null, null));
        String out = a.run("ping", "-q", "-c", "1000", "-i", "0.005", "-W", "1", B_IP).output();
        int[] n = counts(out);
        int lost = n[0] - n[1];
        double sigma = Math.sqrt(1000 * 0.1 * 0.9);
        long counted = lab.sw().port(B_PORT).stats().txDrops(Reason.DROP_IMPAIR_LOSS) - dropsBefore;
        System.out.printf("ImpairIT loss: %d of %d pings lost with 10%% loss on b's egress (expected 100 +- %.1f at"
                + " 3 sigma); switch counted %d DROP_IMPAIR_LOSS%n", lost, n[0], 3 * sigma, counted);
        assertThat(n[0]).isEqualTo(1000);
        assertThat((double) lost).as(out).isBetween(100 - 3 * sigma, 100 + 3 * sigma);
        assertThat(counted).as("drops the switch counted").isEqualTo(lost);
    }

    @Test
    void aTenMegabitRateLimitGivesTenMegabitsOfTcp() throws Exception {
        double control = iperf();
        impair(B_PORT, egress(null, null, null, 10_000L));
        double limited = iperf();
        System.out.printf("ImpairIT rate: iperf3 TCP a->b %.2f Mbit/s without impairment, %.2f Mbit/s with a"
                + " 10000 kbit/s rate on b's egress%n", control, limited);
        assertThat(control).as("control: Mbit/s without impairment").isGreaterThan(50);
        assertThat(limited).as("Mbit/s with the limit").isBetween(9.0, 11.0);
    }

    /** Receiver-side TCP goodput from a to b in Mbit/s over 5 s, after 1 s left out. */
    private static double iperf() throws Exception {
        Process server = new ProcessBuilder(b.inside("iperf3", "-s", "-1", "-p", "5311")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(300);
            CommandResult r = HostCommand.run(Duration.ofSeconds(30),
                    a.inside("iperf3", "-c", B_IP, "-p", "5311", "-t", "5", "-O", "1", "-f", "m"));
            String out = r.output();
            Matcher m = Pattern.compile("([\\d.]+) Mbits/sec\\s+receiver").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            return Double.parseDouble(m.group(1));
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    @Test
    void duplicatesShowAsDupReplies() {
        String control = a.run("ping", "-c", "5", "-i", "0.1", "-W", "1", B_IP).output();
        assertThat(control).as("control").contains("5 received").doesNotContain("DUP!");
        impair(B_PORT, egress(null, null, 100.0, null));
        String out = a.run("ping", "-c", "5", "-i", "0.1", "-W", "1", B_IP).output();
        List<String> dups = out.lines().filter(l -> l.contains("DUP!")).toList();
        System.out.printf("ImpairIT duplicate: %d DUP! replies to 5 pings with 100%% duplicates on b's egress%n",
                dups.size());
        // ping leaves once it has its fifth reply, which may be before that reply's duplicate.
        assertThat(dups).as(out).hasSizeBetween(4, 5);
        assertThat(out).contains("5 received").containsPattern("\\+[45] duplicates");
    }
}
