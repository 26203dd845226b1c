package io.tapswitch.tests.netns;

import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.sys.Poll;
import io.tapswitch.core.sys.PollFds;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 802.1Q on real TAP ports. The host kernel here has no VLAN subinterfaces, so the trunk's far
 * end is this test: it writes tagged frames onto the trunk's netdev through an AF_PACKET socket
 * and reads what the switch sends there, while tcpdump in the hosts' namespaces shows that access
 * wires carry no tags. All access hosts share one /24, so only the VLANs keep them apart.
 */
class VlanIT {
    private static final String PREFIX = "tsv";
    private static final String GHOST = "02:aa:00:00:00:99";
    private static NsSwitch lab;
    private static Netns a10;
    private static Netns b10;
    private static Netns c20;
    private static String trunk;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        lab = new NsSwitch(PREFIX);
        a10 = lab.host("a10", VlanConfig.access(10), "02:00:00:01:00:0a", "198.18.1.10/24");
        b10 = lab.host("b10", VlanConfig.access(10), "02:00:00:01:00:0b", "198.18.1.11/24");
        c20 = lab.host("c20", VlanConfig.access(20), "02:00:00:01:00:14", "198.18.1.20/24");
        trunk = lab.bareTap("trk", VlanConfig.trunk(VlanSet.parse("10,20")));
        HostCommand.run(List.of("sysctl", "-q", "-w", "net.ipv6.conf." + trunk + ".disable_ipv6=1"));
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void hostsReachOnlyTheirOwnVlan() throws Exception {
        assertThat(a10.run("ping", "-c", "2", "-i", "0.2", "-W", "1", "198.18.1.11").output()).contains("2 received");
        // a10 -> c20 is judged on c20's wire: not one frame of a10's arrives there. In the same capture
        // c20 is shown alive: an ARP request in VLAN 20 from the trunk reaches it, and it answers.
        try (Tcpdump atC20 = Tcpdump.start(c20, PREFIX + "-c20", "arp", "or", "icmp");
             PacketPort wire = PacketPort.open(trunk)) {
            Frame frame = new Frame(MacTable.MAX_PORTS);
            frame.load(arpRequest(0x8100, 20, "198.18.1.20"));
            assertThat(wire.send(frame)).isZero();
            byte[] reply = awaitFrame(wire, frame, 0x0806);
            assertThat(reply).as("c20's ARP reply on the trunk").isNotNull();
            assertThat(ByteBuffer.wrap(reply).getShort(14) & 0xfff).isEqualTo(20);
            assertThat(a10.run("ping", "-c", "2", "-i", "0.2", "-W", "1", "198.18.1.20").output())
                    .contains("2 packets transmitted, 0 received");
            List<String> seen = atC20.stop();
            assertThat(seen).as("c20's wire").anyMatch(l -> l.contains(GHOST + " > ff:ff:ff:ff:ff:ff")
                    && l.contains("who-has 198.18.1.20")).noneMatch(l -> l.contains("02:00:00:01:00:0a >"));
        }
        assertThat(c20.run("ping", "-c", "2", "-i", "0.2", "-W", "1", "198.18.1.10").output()).contains("0 received");
    }

    @Test
    void trunkWireCarriesTagsAndAccessWiresDoNot() throws Exception {
        a10.run("ip", "neigh", "flush", "dev", PREFIX + "-a10");
        try (Tcpdump onTrunk = Tcpdump.start(null, trunk, "arp");
             Tcpdump onAccess = Tcpdump.start(b10, PREFIX + "-b10", "arp")) {
            a10.run("ping", "-c", "1", "-W", "1", "198.18.1.11");
            Predicate<String> request = l -> l.contains("02:00:00:01:00:0a > ff:ff:ff:ff:ff:ff")
                    && l.contains("who-has 198.18.1.11");
            List<String> trunkLines = onTrunk.stopAfter(request, 1);
            List<String> accessLines = onAccess.stopAfter(request, 1);
            assertThat(trunkLines).anyMatch(l -> request.test(l) && l.contains("802.1Q") && l.contains("vlan 10,"));
            assertThat(accessLines).anyMatch(request);
            assertThat(accessLines).noneMatch(l -> l.contains("802.1Q") || l.contains("vlan "));
        }
    }

    @Test
    void taggedFramesFromTheTrunkReachOnlyTheirVlan() throws Exception {
        try (PacketPort wire = PacketPort.open(trunk)) {
            Frame frame = new Frame(MacTable.MAX_PORTS);
            // VLAN 20 asks for c20: c20 answers, tagged 20 on the way back
            frame.load(arpRequest(0x8100, 20, "198.18.1.20"));
            assertThat(wire.send(frame)).isZero();
            byte[] reply = awaitFrame(wire, frame, 0x0806);
            assertThat(reply).as("ARP reply from c20 on the trunk").isNotNull();
            ByteBuffer b = ByteBuffer.wrap(reply);
            assertThat(b.getShort(12) & 0xffff).isEqualTo(0x8100);
            assertThat(b.getShort(14) & 0xfff).isEqualTo(20);
            assertThat(b.getShort(16) & 0xffff).isEqualTo(0x0806);
            assertThat(b.getShort(18 + 6)).isEqualTo((short) 2);
            assertThat(MacAddress.format(destinationOf(reply))).isEqualTo(GHOST);
            assertThat(lab.sw().view().fdb().lookup(20, MacAddress.parse(GHOST))).isEqualTo(lab.portId("trk"));
            // VLAN 10 asks for c20's address: nobody in VLAN 10 has it, c20 never hears it
            try (Tcpdump atC20 = Tcpdump.start(c20, PREFIX + "-c20", "arp")) {
                frame.load(arpRequest(0x8100, 10, "198.18.1.20"));
                assertThat(wire.send(frame)).isZero();
                assertThat(awaitFrame(wire, frame, 0x0806)).isNull();
                assertThat(atC20.stop()).isEmpty();
            }
            // VLAN 30 is not allowed on the trunk: dropped and counted
            long before = lab.port("trk").stats().decisions(Reason.DROP_VLAN_NOT_ALLOWED);
            frame.load(arpRequest(0x8100, 30, "198.18.1.20"));
            assertThat(wire.send(frame)).isZero();
            await().atMost(5, TimeUnit.SECONDS).until(() ->
                    lab.port("trk").stats().decisions(Reason.DROP_VLAN_NOT_ALLOWED) > before);
            assertThat(lab.port("trk").stats().decisions(Reason.DROP_VLAN_NOT_ALLOWED)).isEqualTo(before + 1);
        }
    }

    private static long destinationOf(byte[] frame) {
        return ByteBuffer.wrap(frame).getLong(0) >>> 16;
    }

    /** An ARP request from {@link #GHOST} (198.18.1.99) for {@code target}, tagged {@code tpid}/{@code vid}. */
    private static byte[] arpRequest(int tpid, int vid, String target) {
        ByteBuffer b = ByteBuffer.allocate(64);
        long ghost = MacAddress.parse(GHOST);
        b.putInt(-1).putShort((short) -1);
        b.putInt((int) (ghost >>> 16)).putShort((short) ghost);
        b.putShort((short) tpid).putShort((short) vid);
        b.putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.putInt((int) (ghost >>> 16)).putShort((short) ghost);
        b.put(new byte[] {(byte) 198, 18, 1, 99});
        b.put(new byte[6]);
        for (String part : target.split("\\.")) {
            b.put((byte) Integer.parseInt(part));
        }
        return b.array();
    }

    /** The next frame of {@code type} (inside one tag) the switch sends to the wire, or null within 2 s. */
    private static byte[] awaitFrame(PacketPort wire, Frame frame, int type) throws Exception {
        long deadline = System.nanoTime() + 2_000_000_000L;
        PollFds pfd = new PollFds(1);
        while (System.nanoTime() < deadline) {
            frame.reset();
            int n = wire.receive(frame);
            if (n > 0) {
                byte[] bytes = frame.toBytes();
                ByteBuffer b = ByteBuffer.wrap(bytes);
                if (bytes.length >= 18 && (b.getShort(16) & 0xffff) == type) {
                    return bytes;
                }
                continue;
            }
            pfd.set(0, wire.pollFd(), Poll.POLLIN);
            pfd.poll(100);
        }
        return null;
    }
}
