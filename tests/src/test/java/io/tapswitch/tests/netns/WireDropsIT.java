package io.tapswitch.tests.netns;

import io.tapswitch.agent.config.SecuritySpec;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.state.Change;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.vlan.VlanConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drops that the unit tests prove in memory, shown on the wire: a disabled port, the bridge-reserved
 * group addresses 01:80:c2:00:00:0x, port security and a deleted TAP. Each test watches the
 * receiving host's wire with tcpdump (or its ping) and has a positive control in the same run:
 * the same kind of frame, sent where it should arrive, does arrive, and is awaited before the
 * absence is judged.
 *
 * <p>Hosts {@code h1}..{@code h3} sit on switch TAPs; {@code raw} is a TAP whose netdev stays in
 * this namespace, through which the test writes frames of its own making into the switch.
 */
class WireDropsIT {
    private static final String PREFIX = "tswd";
    private static final String MAC_A = "02:61:00:00:00:aa";
    private static final String MAC_B = "02:61:00:00:00:bb";
    /** IEEE's local experimental EtherType: nothing on these hosts sends it but the test. */
    private static final int EXPERIMENTAL = 0x88b5;
    private static NsSwitch lab;
    private static Netns h1;
    private static Netns h2;
    private static Netns h3;
    private static String raw;

    @BeforeAll
    static void start() {
        Root.require();
        lab = new NsSwitch(PREFIX);
        h1 = lab.host("h1", VlanConfig.access(1), mac(1), "198.18.61.1/24");
        h2 = lab.host("h2", VlanConfig.access(1), mac(2), "198.18.61.2/24");
        h3 = lab.host("h3", VlanConfig.access(1), mac(3), "198.18.61.3/24");
        raw = lab.bareTap("raw", VlanConfig.access(1));
    }

    @AfterAll
    static void stop() {
        try {
            if (lab != null) {
                lab.close();
            }
        } finally {
            // The TAP noPingPassesWhileATapIsDeleted creates is the switch's only once it re-attached;
            // after a failure there it stays in this namespace.
            HostCommand.run("ip", "link", "del", PREFIX + "-h3");
        }
    }

    @BeforeEach
    void everyPortEnabledAndAllHostsReachable() {
        for (String host : List.of("h1", "h2", "h3")) {
            lab.sw().control().submit(new Change.SetAdmin(PREFIX + "-" + host, true), null);
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> pings(h1, 2) && pings(h1, 3));
    }

    private static String mac(int host) {
        return "02:61:00:00:00:0" + host;
    }

    private static String ip(int host) {
        return "198.18.61." + host;
    }

    private static boolean pings(Netns from, int to) {
        return from.run("ping", "-c", "1", "-W", "1", ip(to)).output().contains("1 received");
    }

    /**
     * The pings that are judged carry 1111 bytes of data (frames of 1153 bytes on the wire), so that
     * tcpdump tells them from the pings that only wait for the port to be back.
     */
    @Test
    void aDisabledPortForwardsNothingEitherWay() throws Exception {
        Predicate<String> h1ToH2 = l -> l.contains(mac(1) + " > " + mac(2)) && l.contains("length 1153:");
        Predicate<String> h2ToH1 = l -> l.contains(mac(2) + " > " + mac(1)) && l.contains("length 1153:");
        try (Tcpdump atH2 = Tcpdump.start(h2, PREFIX + "-h2", "icmp[icmptype] == icmp-echo");
             Tcpdump atH1 = Tcpdump.start(h1, PREFIX + "-h1", "icmp[icmptype] == icmp-echo")) {
            lab.sw().control().submit(new Change.SetAdmin(PREFIX + "-h2", false), null);
            assertThat(h1.run("ping", "-c", "3", "-s", "1111", "-i", "0.2", "-W", "1", ip(2)).output())
                    .as("to h2").contains(" 0 received");
            assertThat(h2.run("ping", "-c", "3", "-s", "1111", "-i", "0.2", "-W", "1", ip(1)).output())
                    .as("from h2").contains(" 0 received");

            lab.sw().control().submit(new Change.SetAdmin(PREFIX + "-h2", true), null);
            await().atMost(20, TimeUnit.SECONDS).until(() -> pings(h1, 2) && pings(h2, 1));
            assertThat(h1.run("ping", "-c", "2", "-s", "1111", "-i", "0.2", "-W", "1", ip(2)).output())
                    .as("to h2, enabled again").contains(" 2 received");
            assertThat(h2.run("ping", "-c", "2", "-s", "1111", "-i", "0.2", "-W", "1", ip(1)).output())
                    .as("from h2, enabled again").contains(" 2 received");

            // Of each direction's five requests only the two sent after enabling crossed the switch.
            assertThat(atH2.stopAfter(h1ToH2, 2)).as("h1's requests on h2's wire").filteredOn(h1ToH2).hasSize(2);
            assertThat(atH1.stopAfter(h2ToH1, 2)).as("h2's requests on h1's wire").filteredOn(h2ToH1).hasSize(2);
        }
    }

    @Test
    void bridgeReservedGroupAddressesAreNotForwarded() throws Exception {
        List<String> reserved = List.of("01:80:c2:00:00:00", "01:80:c2:00:00:02", "01:80:c2:00:00:03",
                "01:80:c2:00:00:0e", "01:80:c2:00:00:0f");
        // Just outside the reserved block, and the broadcast sent last: both must be flooded.
        List<String> flooded = List.of("01:80:c2:00:00:10", "ff:ff:ff:ff:ff:ff");
        long drops0 = lab.port("raw").stats().decisions(Reason.DROP_RESERVED_MULTICAST);
        try (Tcpdump atH2 = Tcpdump.start(h2, PREFIX + "-h2", "ether", "proto", String.valueOf(EXPERIMENTAL));
             PacketPort wire = PacketPort.open(raw)) {
            for (String dst : reserved) {
                send(wire, dst, MAC_A);
            }
            for (String dst : flooded) {
                send(wire, dst, MAC_A);
            }
            List<String> seen = atH2.stopAfter(l -> l.contains(MAC_A + " > ff:ff:ff:ff:ff:ff"), 1);
            assertThat(seen).as("frames from the raw port on h2's wire")
                    .filteredOn(l -> l.contains(MAC_A + " > ")).hasSize(2)
                    .anyMatch(l -> l.contains(" > " + flooded.get(0)))
                    .anyMatch(l -> l.contains(" > " + flooded.get(1)));
        }
        assertThat(lab.port("raw").stats().decisions(Reason.DROP_RESERVED_MULTICAST) - drops0).isEqualTo(reserved.size());
    }

    @Test
    void portSecurityDropsAnUnknownSourceBeyondTheLimit() throws Exception {
        lab.sw().control().submit(new Change.SetSecurity(raw, new SecuritySpec(1, SecuritySpec.DROP)), null);
        try (Tcpdump atH2 = Tcpdump.start(h2, PREFIX + "-h2", "ether", "proto", String.valueOf(EXPERIMENTAL));
             PacketPort wire = PacketPort.open(raw)) {
            lab.sw().control().flush(raw, -1);
            long drops0 = lab.port("raw").stats().decisions(Reason.DROP_PORT_SECURITY);
            send(wire, "ff:ff:ff:ff:ff:ff", MAC_A);
            await().atMost(5, TimeUnit.SECONDS).until(() -> lab.sw().view().fdb().lookup(1, MacAddress.parse(MAC_A)) >= 0);
            send(wire, "ff:ff:ff:ff:ff:ff", MAC_B);
            send(wire, "ff:ff:ff:ff:ff:ff", MAC_A);
            Predicate<String> fromA = l -> l.contains(MAC_A + " > ff:ff:ff:ff:ff:ff");
            List<String> seen = atH2.stopAfter(fromA, 2);
            assertThat(seen).as("the station within the limit, twice").filteredOn(fromA).hasSize(2);
            assertThat(seen).as("the station beyond the limit").noneMatch(l -> l.contains(MAC_B));
            assertThat(lab.port("raw").stats().decisions(Reason.DROP_PORT_SECURITY) - drops0).isEqualTo(1);
        } finally {
            lab.sw().control().submit(new Change.SetSecurity(raw, new SecuritySpec(0, SecuritySpec.DROP)), null);
        }
    }

    /**
     * While h3's TAP is deleted no echo request reaches it and none is answered later: a reply to a
     * request that went unanswered would mean the switch kept frames for the vanished device and
     * delivered them to the new one. The pings before the deletion and after the TAP is back (the
     * port re-attaches by itself) are the controls.
     */
    @Test
    void noPingPassesWhileATapIsDeleted() throws Exception {
        String tap = PREFIX + "-h3";
        Path out = Files.createTempFile("tswd-ping", ".txt");
        Process ping = new ProcessBuilder(h1.inside("ping", "-O", "-i", "0.2", "-W", "1", ip(3)))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            await().atMost(10, TimeUnit.SECONDS).until(() -> replied(out).size() >= 3);
            h3.exec("ip", "link", "del", tap);
            await().atMost(5, TimeUnit.SECONDS).until(() -> !lab.port("h3").operUp());
            int repliedWhileUp = replied(out).size();
            Thread.sleep(2000);
            assertThat(replied(out)).as("replies while the TAP is deleted").hasSize(repliedWhileUp);

            HostCommand.check("ip", "tuntap", "add", "dev", tap, "mode", "tap");
            await().atMost(10, TimeUnit.SECONDS).until(() -> lab.port("h3").operUp());
            h3.adopt(tap);
            h3.configure(tap, mac(3), ip(3) + "/24", null);
            await().atMost(20, TimeUnit.SECONDS).until(() -> replied(out).size() >= repliedWhileUp + 3);
        } finally {
            ping.destroy();
            ping.waitFor(5, TimeUnit.SECONDS);
        }
        try {
            Set<Integer> replied = replied(out);
            Set<Integer> unanswered = seqs(out, "no answer yet for icmp_seq=(\\d+)");
            assertThat(unanswered).as("requests sent while the TAP was deleted").hasSizeGreaterThanOrEqualTo(5);
            assertThat(replied).as("replies to requests that had gone unanswered").doesNotContainAnyElementsOf(unanswered);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Set<Integer> replied(Path pingOutput) throws Exception {
        return seqs(pingOutput, "bytes from .*icmp_seq=(\\d+)");
    }

    private static Set<Integer> seqs(Path pingOutput, String regex) throws Exception {
        Pattern pattern = Pattern.compile(regex);
        return Files.readString(pingOutput).lines().map(pattern::matcher).filter(Matcher::find)
                .map(m -> Integer.parseInt(m.group(1))).collect(Collectors.toSet());
    }

    /** Writes a minimum-size frame of the experimental EtherType from {@code src} to {@code dst}. */
    private static void send(PacketPort wire, String dst, String src) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(60);
        long d = MacAddress.parse(dst);
        long s = MacAddress.parse(src);
        b.putInt((int) (d >>> 16)).putShort((short) d);
        b.putInt((int) (s >>> 16)).putShort((short) s);
        b.putShort((short) EXPERIMENTAL);
        Frame frame = new Frame(MacTable.MAX_PORTS);
        frame.load(b.array());
        assertThat(wire.send(frame)).as("sent to %s", dst).isZero();
    }
}
