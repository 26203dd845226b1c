package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.port.MemoryPort;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The less travelled exits of the forwarding decision: frames at the length limit, storm control
 * per traffic class, destinations that cannot take the frame, the words of a trace, and mirror
 * selection at its edges.
 *
 * <p>Equivalent mutants: {@code classified < 0} as {@code <= 0} (a classification always carries a
 * nonzero TPID), and {@code Mirror}'s {@code port < src.length} as {@code <=} (every port id of a
 * topology is below its capacity), and swapping which bucket broadcast and multicast take when a
 * frame is metered (each class still has a bucket of its own, at its own rate).
 */
class DecisionEdgesTest {
    private static final long H1 = mac("02:00:00:00:00:01");
    private static final long H2 = mac("02:00:00:00:00:02");
    private static final long H3 = mac("02:00:00:00:00:03");
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");
    private static final long MCAST = mac("01:00:5e:00:00:01");

    private Switch sw;
    private MemoryPort p1;
    private MemoryPort p2;
    private MemoryPort p3;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    @BeforeEach
    void setUp() {
        sw = new Switch(SwitchOptions.defaults());
        p1 = add("p1");
        p2 = add("p2");
        p3 = add("p3");
    }

    @AfterEach
    void tearDown() {
        sw.close();
    }

    private MemoryPort add(String name) {
        MemoryPort p = new MemoryPort(name);
        sw.addPassivePort(p, PortConfig.enabled(name));
        return p;
    }

    private int id(String name) {
        return sw.topology().idOf(name);
    }

    private Reason send(String from, byte[] bytes) {
        frame.load(bytes);
        frame.inPort = id(from);
        return sw.process(frame);
    }

    private TraceResult trace(String from, byte[] bytes) {
        frame.load(bytes);
        frame.inPort = id(from);
        return sw.trace(frame);
    }

    @Test
    void aFrameOfJustAnEthernetHeaderIsDecidedAndOneByteLessIsTruncated() {
        byte[] header = Frames.ethernet(BCAST, H1, 0x88b5, 0);
        assertThat(send("p1", header)).isEqualTo(Reason.FLOOD_BROADCAST);
        assertThat(send("p1", Arrays.copyOf(header, 13))).isEqualTo(Reason.DROP_TRUNCATED);
    }

    /**
     * Sends {@code n} copies of a frame and returns how many got {@code verdict}. At 1 frame per
     * second, n frames sent in less than a second make 1 pass; a slow machine may let one more
     * through per second elapsed.
     */
    private int passed(String from, byte[] bytes, Reason verdict, int n) {
        int passed = 0;
        for (int i = 0; i < n; i++) {
            Reason r = send(from, bytes);
            if (r == verdict) {
                passed++;
            } else {
                assertThat(r).isEqualTo(Reason.DROP_STORM_CONTROL);
            }
        }
        return passed;
    }

    @Test
    void broadcastAndMulticastAreMeteredEachByTheirOwnLimit() {
        byte[] broadcast = Frames.ethernet(BCAST, H1, 0x0806, 46);
        byte[] multicast = Frames.ethernet(MCAST, H1, 0x0800, 46);
        sw.configurePort("p1", c -> c.withStorm(new StormControl(1, 0, 0)));
        long start = System.nanoTime();
        assertThat(passed("p1", broadcast, Reason.FLOOD_BROADCAST, 10)).isBetween(1, 1 + slack(start));
        assertThat(passed("p1", multicast, Reason.FLOOD_MULTICAST, 10)).isEqualTo(10);
        sw.configurePort("p1", c -> c.withStorm(new StormControl(0, 1, 0)));
        start = System.nanoTime();
        assertThat(passed("p1", multicast, Reason.FLOOD_MULTICAST, 10)).isBetween(1, 1 + slack(start));
        assertThat(passed("p1", broadcast, Reason.FLOOD_BROADCAST, 10)).isEqualTo(10);
    }

    @Test
    void unknownUnicastIsMeteredButATraceNeverSpendsTheBudget() {
        byte[] unknown = Frames.ethernet(H2, H1, 0x0800, 46);
        sw.configurePort("p1", c -> c.withStorm(new StormControl(0, 0, 1)));
        long start = System.nanoTime();
        assertThat(passed("p1", unknown, Reason.FLOOD_UNKNOWN_UNICAST, 10)).isBetween(1, 1 + slack(start));
        for (int i = 0; i < 10; i++) {
            assertThat(trace("p1", unknown).verdict()).isEqualTo(Reason.FLOOD_UNKNOWN_UNICAST);
        }
        assertThat(passed("p1", Frames.ethernet(BCAST, H1, 0x0806, 46), Reason.FLOOD_BROADCAST, 10))
                .as("broadcast is not limited").isEqualTo(10);
        sw.configurePort("p3", c -> c.withStorm(new StormControl(1, 0, 0)));
        assertThat(passed("p3", Frames.ethernet(H2, H3, 0x0800, 46), Reason.FLOOD_UNKNOWN_UNICAST, 10)).isEqualTo(10);
    }

    /** Whole seconds since {@code start}, rounded up: tokens a 1-per-second bucket may have regained. */
    private static int slack(long start) {
        return (int) Math.ceil((System.nanoTime() - start) / 1e9);
    }

    @Test
    void aStationStaticallyBehindAMirrorOutputIsReachedByFloodingElsewhere() {
        sw.fdb().addStatic(0, H3, id("p3"));
        sw.addMirror(new MirrorConfig("m", Set.of("p2"), Set.of(), null, false, "p3", 0, 0));
        assertThat(send("p1", Frames.ethernet(H3, H1, 0x0800, 46))).isEqualTo(Reason.FLOOD_UNKNOWN_UNICAST);
        assertThat(p2.sent()).hasSize(1);
        assertThat(p3.sent()).isEmpty();
    }

    @Test
    void aDestinationOnADisabledPortOrOutsideTheVlanIsDropped() {
        sw.fdb().addStatic(0, H2, id("p2"));
        sw.configurePort("p2", c -> c.withAdminUp(false));
        assertThat(send("p1", Frames.ethernet(H2, H1, 0x0800, 46))).isEqualTo(Reason.DROP_EGRESS_DOWN);
        sw.fdb().addStatic(0, H3, id("p3"));
        sw.configurePort("p3", c -> c.withVlan(VlanConfig.access(20)));
        assertThat(send("p1", Frames.ethernet(H3, H1, 0x0800, 46))).isEqualTo(Reason.DROP_EGRESS_DOWN);
        assertThat(p2.sent()).isEmpty();
        assertThat(p3.sent()).isEmpty();
    }

    @Test
    void aTraceNamesTheIngressTheClassificationAndEveryOutput() {
        sw.configurePort("p1", c -> c.withVlan(VlanConfig.trunk(VlanSet.EMPTY)));
        TraceResult flood = trace("p1", Frames.tagged(BCAST, H1, 0x8100, (3 << 13) | 10, 0x0800, 46));
        assertThat(flood.steps()).startsWith(
                "ingress port p1: 02:00:00:00:00:01 -> ff:ff:ff:ff:ff:ff, 64 bytes",
                "classified to vlan 10 (port mode trunk, tagged, pcp 3)");
        assertThat(flood.steps()).contains("flood to p2", "flood to p3");

        sw.fdb().addStatic(0, H2, id("p2"));
        TraceResult unicast = trace("p1", Frames.ethernet(H2, H1, 0x0800, 46));
        assertThat(unicast.steps()).contains("classified to vlan 0 (port mode trunk, untagged, pcp 0)", "output to p2");
    }

    @Test
    void aTraceSaysWhenAPortAtItsLimitWillNotLearn() {
        sw.configurePort("p1", c -> c.withSecurity(new PortSecurity(1, PortSecurity.Violation.LEARN_STOP)));
        send("p1", Frames.ethernet(BCAST, H1, 0x0806, 46));
        TraceResult trace = trace("p1", Frames.ethernet(BCAST, H3, 0x0806, 46));
        assertThat(trace.verdict()).isEqualTo(Reason.FLOOD_BROADCAST);
        assertThat(trace.steps()).contains("not learning 02:00:00:00:00:03: port holds its limit of 1 MACs");
    }

    @Test
    void theFirstPortCanBeAMirroredDestination() {
        assertThat(id("p1")).isZero();
        MemoryPort mon = add("mon");
        sw.addMirror(new MirrorConfig("to-p1", Set.of(), Set.of("p1"), null, false, "mon", 0, 0));
        send("p1", Frames.ethernet(BCAST, H1, 0x0806, 46));
        byte[] toH1 = Frames.ethernet(H1, H2, 0x0800, 46);
        send("p2", toH1);
        assertThat(mon.sent()).containsExactly(toH1);
        assertThat(sw.mirrorStats("to-p1").copied()).isEqualTo(1);
    }

    @Test
    void aCopyTheOutputPortRefusesIsCountedAsFailed() {
        MemoryPort dead = new MemoryPort("dead");
        dead.refuseSends(-Errno.EIO);
        sw.addPassivePort(dead, PortConfig.enabled("dead"));
        sw.addMirror(new MirrorConfig("m", Set.of("p1"), Set.of(), null, false, "dead", 0, 0));
        send("p1", Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(sw.mirrorStats("m").failed()).isEqualTo(1);
        assertThat(sw.mirrorStats("m").copied()).isZero();
        assertThat(p2.sent()).hasSize(1);
    }

    @Test
    void mirrorConfigAcceptsItsLimitsAndNothingBeyond() {
        String name64 = "m".repeat(64);
        assertThat(new MirrorConfig(name64, Set.of("a"), null, null, false, null, 1, 0).outputVlan()).isEqualTo(1);
        assertThat(new MirrorConfig("m", Set.of("a"), null, null, false, null, 4094, 65535).snaplen()).isEqualTo(65535);
        assertThatThrownBy(() -> new MirrorConfig(name64 + "m", Set.of("a"), null, null, false, null, 1, 0))
                .hasMessageStartingWith("name:");
        assertThatThrownBy(() -> new MirrorConfig("m", Set.of("a"), null, null, false, null, 4095, 0))
                .hasMessageStartingWith("outputVlan:");
        assertThatThrownBy(() -> new MirrorConfig("m", Set.of("a"), null, null, false, null, 1, 65536))
                .hasMessageStartingWith("snaplen:");
    }
}
