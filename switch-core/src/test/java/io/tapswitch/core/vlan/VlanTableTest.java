package io.tapswitch.core.vlan;

import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.MemoryPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The VLAN matrix, end to end through the switch with exact bytes: every ingress mode against
 * untagged, allowed-tagged, denied-tagged and priority-tagged input, and every egress mode against
 * its native and a non-native VLAN, including the padding a popped tag leaves behind.
 *
 * <p>Ingress cases send from the port under test to a monitor trunk (all VLANs), so the monitor's
 * bytes show the VLAN and PCP the frame was classified to. Egress cases send tagged frames from a
 * trunk into the port under test.
 */
class VlanTableTest {
    private static final String DST = "ffffffffffff";
    private static final String SRC = "020000000001";
    private static final String TYPE = "0800";
    /** 42 payload bytes: an untagged frame of 56 bytes, a tagged one of 60. */
    private static final String PAYLOAD = "ab".repeat(42);

    static final VlanConfig ACCESS = VlanConfig.access(10);
    static final VlanConfig TRUNK = VlanConfig.trunk(VlanSet.parse("10,20"));
    static final VlanConfig NATIVE_UNTAGGED = VlanConfig.nativeUntagged(10, VlanSet.parse("20"));
    static final VlanConfig NATIVE_TAGGED = VlanConfig.nativeTagged(10, VlanSet.parse("20"));
    static final VlanConfig TUNNEL = VlanConfig.dot1qTunnel(100);

    private Switch sw;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    @BeforeEach
    void setUp() {
        sw = new Switch(SwitchOptions.defaults());
    }

    @AfterEach
    void tearDown() {
        sw.close();
    }

    private static String untagged(String payload) {
        return DST + SRC + TYPE + payload;
    }

    private static String tagged(String tpid, int pcp, int vid, String inner) {
        return DST + SRC + tpid + String.format("%04x", (pcp << 13) | vid) + inner;
    }

    private static String pad(String hex) {
        StringBuilder sb = new StringBuilder(hex);
        while (sb.length() < 120) {
            sb.append("00");
        }
        return sb.toString();
    }

    static Stream<Arguments> ingress() {
        String u = untagged(PAYLOAD);
        String t20 = tagged("8100", 0, 20, TYPE + PAYLOAD);
        String t30 = tagged("8100", 0, 30, TYPE + PAYLOAD);
        String t10 = tagged("8100", 0, 10, TYPE + PAYLOAD);
        String prio = tagged("8100", 5, 0, TYPE + PAYLOAD);
        return Stream.of(
                // access 10
                Arguments.of("access untagged", ACCESS, u, Reason.FLOOD_BROADCAST, t10),
                Arguments.of("access tagged-own", ACCESS, t10, Reason.DROP_VLAN_TAGGED_ON_ACCESS, null),
                Arguments.of("access tagged-denied", ACCESS, t30, Reason.DROP_VLAN_TAGGED_ON_ACCESS, null),
                Arguments.of("access priority-tagged", ACCESS, prio, Reason.FLOOD_BROADCAST,
                        tagged("8100", 5, 10, TYPE + PAYLOAD)),
                // trunk 10,20
                Arguments.of("trunk untagged", TRUNK, u, Reason.FLOOD_BROADCAST, u),
                Arguments.of("trunk tagged-allowed", TRUNK, t20, Reason.FLOOD_BROADCAST, t20),
                Arguments.of("trunk tagged-denied", TRUNK, t30, Reason.DROP_VLAN_NOT_ALLOWED, null),
                // VLAN 0 leaves trunks untagged: the priority tag is dropped and the frame re-padded, as in
                // Open vSwitch without other_config:priority-tags
                Arguments.of("trunk priority-tagged", TRUNK, prio, Reason.FLOOD_BROADCAST, pad(u)),
                Arguments.of("trunk vid 4095", TRUNK, tagged("8100", 0, 4095, TYPE + PAYLOAD), Reason.DROP_VLAN_RESERVED, null),
                Arguments.of("trunk truncated tag", TRUNK, DST + SRC + "8100" + "00", Reason.DROP_VLAN_TRUNCATED, null),
                // native-untagged 10, trunks 20
                Arguments.of("native-untagged untagged", NATIVE_UNTAGGED, u, Reason.FLOOD_BROADCAST, t10),
                Arguments.of("native-untagged tagged-allowed", NATIVE_UNTAGGED, t20, Reason.FLOOD_BROADCAST, t20),
                Arguments.of("native-untagged tagged-native", NATIVE_UNTAGGED, t10, Reason.FLOOD_BROADCAST, t10),
                Arguments.of("native-untagged tagged-denied", NATIVE_UNTAGGED, t30, Reason.DROP_VLAN_NOT_ALLOWED, null),
                Arguments.of("native-untagged priority-tagged", NATIVE_UNTAGGED, prio, Reason.FLOOD_BROADCAST,
                        tagged("8100", 5, 10, TYPE + PAYLOAD)),
                // native-tagged 10, trunks 20
                Arguments.of("native-tagged untagged", NATIVE_TAGGED, u, Reason.FLOOD_BROADCAST, t10),
                Arguments.of("native-tagged tagged-allowed", NATIVE_TAGGED, t20, Reason.FLOOD_BROADCAST, t20),
                Arguments.of("native-tagged tagged-denied", NATIVE_TAGGED, t30, Reason.DROP_VLAN_NOT_ALLOWED, null),
                Arguments.of("native-tagged priority-tagged", NATIVE_TAGGED, prio, Reason.FLOOD_BROADCAST,
                        tagged("8100", 5, 10, TYPE + PAYLOAD)),
                // dot1q-tunnel S-VLAN 100: any customer frame rides inside an 802.1ad S-tag
                Arguments.of("dot1q-tunnel untagged", TUNNEL, u, Reason.FLOOD_BROADCAST,
                        DST + SRC + "88a8" + "0064" + TYPE + PAYLOAD),
                Arguments.of("dot1q-tunnel c-tagged", TUNNEL, t20, Reason.FLOOD_BROADCAST,
                        DST + SRC + "88a8" + "0064" + "8100" + "0014" + TYPE + PAYLOAD),
                Arguments.of("dot1q-tunnel c-tagged other", TUNNEL, t30, Reason.FLOOD_BROADCAST,
                        DST + SRC + "88a8" + "0064" + "8100" + "001e" + TYPE + PAYLOAD),
                Arguments.of("dot1q-tunnel priority-tagged", TUNNEL, prio, Reason.FLOOD_BROADCAST,
                        DST + SRC + "88a8" + "a064" + "8100" + "a000" + TYPE + PAYLOAD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ingress")
    void ingressClassification(String name, VlanConfig mode, String in, Reason reason, String expectedOnTrunk) {
        MemoryPort port = new MemoryPort("in");
        MemoryPort monitor = new MemoryPort("monitor");
        sw.addPassivePort(port, new PortConfig("in", true, mode));
        sw.addPassivePort(monitor, new PortConfig("monitor", true, VlanConfig.trunk(VlanSet.EMPTY)));
        assertThat(send("in", in)).isEqualTo(reason);
        List<String> out = hex(monitor.sent());
        if (expectedOnTrunk == null) {
            assertThat(out).isEmpty();
        } else {
            assertThat(out).containsExactly(expectedOnTrunk);
        }
    }

    static Stream<Arguments> egress() {
        String t10 = tagged("8100", 3, 10, TYPE + PAYLOAD);
        String t20 = tagged("8100", 3, 20, TYPE + PAYLOAD);
        String t30 = tagged("8100", 3, 30, TYPE + PAYLOAD);
        String popped = pad(untagged(PAYLOAD));
        String sTagged = DST + SRC + "88a8" + "0064" + "8100" + "0014" + TYPE + PAYLOAD;
        String sOther = DST + SRC + "88a8" + "0065" + "8100" + "0014" + TYPE + PAYLOAD;
        return Stream.of(
                Arguments.of("access native", ACCESS, t10, popped),
                Arguments.of("access non-native", ACCESS, t20, null),
                Arguments.of("trunk native (vlan 0, untagged)", TRUNK, untagged(PAYLOAD), untagged(PAYLOAD)),
                Arguments.of("trunk allowed", TRUNK, t20, t20),
                Arguments.of("trunk not allowed", TRUNK, t30, null),
                Arguments.of("native-untagged native", NATIVE_UNTAGGED, t10, popped),
                Arguments.of("native-untagged non-native", NATIVE_UNTAGGED, t20, t20),
                Arguments.of("native-untagged not allowed", NATIVE_UNTAGGED, t30, null),
                Arguments.of("native-untagged vlan 0", NATIVE_UNTAGGED, untagged(PAYLOAD), null),
                Arguments.of("native-tagged native", NATIVE_TAGGED, t10, t10),
                Arguments.of("native-tagged non-native", NATIVE_TAGGED, t20, t20),
                Arguments.of("native-tagged not allowed", NATIVE_TAGGED, t30, null),
                Arguments.of("dot1q-tunnel s-vlan", TUNNEL, sTagged, tagged("8100", 0, 20, TYPE + PAYLOAD)),
                Arguments.of("dot1q-tunnel other s-vlan", TUNNEL, sOther, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("egress")
    void egressTranslation(String name, VlanConfig mode, String fromTrunk, String expected) {
        MemoryPort trunk = new MemoryPort("trunk");
        MemoryPort port = new MemoryPort("out");
        sw.addPassivePort(trunk, new PortConfig("trunk", true, VlanConfig.trunk(VlanSet.EMPTY)));
        sw.addPassivePort(port, new PortConfig("out", true, mode));
        send("trunk", fromTrunk);
        List<String> out = hex(port.sent());
        if (expected == null) {
            assertThat(out).isEmpty();
        } else {
            assertThat(out).containsExactly(expected);
        }
    }

    @org.junit.jupiter.api.Test
    void learningAndFloodingArePerVlan() {
        MemoryPort a10 = new MemoryPort("a10");
        MemoryPort b10 = new MemoryPort("b10");
        MemoryPort c20 = new MemoryPort("c20");
        MemoryPort trunk = new MemoryPort("trunk");
        sw.addPassivePort(a10, new PortConfig("a10", true, VlanConfig.access(10)));
        sw.addPassivePort(b10, new PortConfig("b10", true, VlanConfig.access(10)));
        sw.addPassivePort(c20, new PortConfig("c20", true, VlanConfig.access(20)));
        sw.addPassivePort(trunk, new PortConfig("trunk", true, VlanConfig.trunk(VlanSet.EMPTY)));
        send("a10", untagged(PAYLOAD));
        assertThat(b10.sent()).hasSize(1);
        assertThat(c20.sent()).isEmpty();
        assertThat(hex(trunk.sent())).containsExactly(tagged("8100", 0, 10, TYPE + PAYLOAD));
        // the same MAC in VLAN 20 lives on another port
        send("c20", untagged(PAYLOAD));
        int a = sw.topology().idOf("a10");
        int c = sw.topology().idOf("c20");
        long src = io.tapswitch.core.frame.MacAddress.parse("02:00:00:00:00:01");
        assertThat(sw.fdb().lookup(10, src)).isEqualTo(a);
        assertThat(sw.fdb().lookup(20, src)).isEqualTo(c);
        assertThat(a10.sent()).isEmpty();
        assertThat(b10.sent()).hasSize(1);
        assertThat(sw.vlanStats().packets(10)).isEqualTo(1);
        assertThat(sw.vlanStats().packets(20)).isEqualTo(1);
        assertThat(sw.vlanStats().floods(20)).isEqualTo(1);
    }

    @org.junit.jupiter.api.Test
    void changingAPortsVlanFlushesItsEntriesAndTakesEffectAtOnce() {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        sw.addPassivePort(a, new PortConfig("a", true, VlanConfig.access(10)));
        sw.addPassivePort(b, new PortConfig("b", true, VlanConfig.access(10)));
        send("a", untagged(PAYLOAD));
        assertThat(sw.fdb().size()).isEqualTo(1);
        sw.configurePort("a", c -> c.withVlan(VlanConfig.access(20)));
        assertThat(sw.fdb().size()).isZero();
        b.clearSent();
        send("a", untagged(PAYLOAD));
        assertThat(b.sent()).isEmpty();
        assertThat(sw.topology().port(sw.topology().idOf("a")).stats().decisions(Reason.DROP_NO_EGRESS)).isEqualTo(1);
    }

    private Reason send(String port, String hex) {
        frame.load(HexFormat.of().parseHex(hex));
        frame.inPort = sw.topology().idOf(port);
        return sw.process(frame);
    }

    private static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(b -> HexFormat.of().formatHex(b)).toList();
    }

}
