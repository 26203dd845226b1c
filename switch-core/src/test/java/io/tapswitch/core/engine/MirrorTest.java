package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.port.MemoryPort;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Set;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MirrorTest {
    private static final long H1 = mac("02:00:00:00:00:01");
    private static final long H2 = mac("02:00:00:00:00:02");
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");

    private Switch sw;
    private MemoryPort p1;
    private MemoryPort p2;
    private MemoryPort p3;
    private MemoryPort mon;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    @BeforeEach
    void setUp() {
        sw = new Switch(SwitchOptions.defaults());
        p1 = add("p1", VlanConfig.DEFAULT);
        p2 = add("p2", VlanConfig.DEFAULT);
        p3 = add("p3", VlanConfig.DEFAULT);
        mon = add("mon", VlanConfig.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        sw.close();
    }

    private MemoryPort add(String name, VlanConfig vlan) {
        MemoryPort p = new MemoryPort(name);
        sw.addPassivePort(p, new PortConfig(name, true, vlan));
        return p;
    }

    private static MirrorConfig span(String name, Set<String> src, Set<String> dst, String out) {
        return new MirrorConfig(name, src, dst, null, false, out, 0, 0);
    }

    private Reason send(MemoryPort from, byte[] bytes) {
        frame.load(bytes);
        frame.inPort = sw.topology().idOf(from.name());
        return sw.process(frame);
    }

    private void learnH2OnP2() {
        send(p2, Frames.ethernet(BCAST, H2, 0x0806, 46));
        for (MemoryPort p : new MemoryPort[] {p1, p2, p3, mon}) {
            p.clearSent();
        }
    }

    @Test
    void spanCopiesUnicastBetweenTwoOtherHosts() {
        sw.addMirror(span("m", Set.of("p1"), Set.of(), "mon"));
        learnH2OnP2();
        byte[] f = Frames.ethernet(H2, H1, 0x0800, 46);
        assertThat(send(p1, f)).isEqualTo(Reason.FORWARD_UNICAST);
        assertThat(p2.sent()).containsExactly(f);
        assertThat(p3.sent()).isEmpty();
        assertThat(mon.sent()).containsExactly(f);
        assertThat(sw.mirrorStats("m").copied()).isEqualTo(1);
    }

    @Test
    void aFloodedFrameIsCopiedOncePerMirror() {
        sw.addMirror(span("m", Set.of(), Set.of("p2", "p3"), "mon"));
        send(p1, Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(p2.sent()).hasSize(1);
        assertThat(p3.sent()).hasSize(1);
        assertThat(mon.sent()).hasSize(1);
        assertThat(sw.mirrorStats("m").copied()).isEqualTo(1);
    }

    @Test
    void outputPortReceivesOnlyMirroredTrafficAndNeverLearns() {
        sw.addMirror(span("m", Set.of("p3"), Set.of(), "mon"));
        send(p1, Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(mon.sent()).isEmpty();
        assertThat(p2.sent()).hasSize(1);
        assertThat(send(mon, Frames.ethernet(BCAST, mac("02:00:00:00:00:09"), 0x0806, 46))).isEqualTo(Reason.DROP_MIRROR_OUTPUT);
        assertThat(sw.fdb().lookup(0, mac("02:00:00:00:00:09"))).isEqualTo(-1);
        assertThat(p1.sent()).isEmpty();
        SwitchPort monitor = sw.topology().port(sw.topology().idOf("mon"));
        assertThat(monitor.stats().decisions(Reason.DROP_MIRROR_OUTPUT)).isEqualTo(1);
    }

    @Test
    void unicastToAMacLearnedOnTheOutputPortBeforeItBecameOneFloodsElsewhere() {
        send(mon, Frames.ethernet(BCAST, mac("02:00:00:00:00:09"), 0x0806, 46));
        sw.addMirror(span("m", Set.of("p3"), Set.of(), "mon"));
        mon.clearSent();
        assertThat(send(p1, Frames.ethernet(mac("02:00:00:00:00:09"), H1, 0x0800, 46))).isEqualTo(Reason.FLOOD_UNKNOWN_UNICAST);
        assertThat(mon.sent()).isEmpty();
    }

    @Test
    void copiesShowTheTagAsOnTheSelectedWire() {
        MemoryPort access = add("acc", VlanConfig.access(10));
        MemoryPort trunk = add("trk", VlanConfig.trunk(VlanSet.EMPTY));
        MemoryPort mon2 = add("mon2", VlanConfig.DEFAULT);
        sw.addMirror(span("in", Set.of("acc"), Set.of(), "mon"));
        sw.addMirror(span("out", Set.of(), Set.of("trk"), "mon2"));
        byte[] f = Frames.ethernet(BCAST, H1, 0x0806, 46);
        send(access, f);
        assertThat(mon.sent()).containsExactly(f);
        assertThat(HexFormat.of().formatHex(mon2.sent().get(0))).isEqualTo(HexFormat.of().formatHex(
                Frames.tagged(BCAST, H1, 0x8100, 10, 0x0806, 46)));
        assertThat(trunk.sent()).hasSize(1);
    }

    @Test
    void rspanFloodsTheCopyIntoTheOutputVlan() {
        MemoryPort trunk = add("trk", VlanConfig.trunk(VlanSet.of(999)));
        MemoryPort other = add("acc20", VlanConfig.access(20));
        sw.addMirror(new MirrorConfig("r", Set.of("p1"), Set.of(), null, false, null, 999, 0));
        byte[] f = Frames.ethernet(BCAST, H1, 0x0806, 46);
        send(p1, f);
        // the copy, in VLAN 999, then the frame itself, untagged traffic (VLAN 0) of the trunk
        assertThat(trunk.sent().stream().map(HexFormat.of()::formatHex)).containsExactly(
                HexFormat.of().formatHex(Frames.tagged(BCAST, H1, 0x8100, 999, 0x0806, 46)),
                HexFormat.of().formatHex(f));
        assertThat(other.sent()).isEmpty();
        // default ports are trunks of every VLAN, 999 included: they see the copy too
        assertThat(p2.sent()).hasSize(2);
        assertThat(p2.sent().get(1)).isEqualTo(f);
    }

    @Test
    void snaplenCutsTheCopyButNotTheFrame() {
        sw.addMirror(new MirrorConfig("s", Set.of("p1"), Set.of(), null, false, "mon", 0, 20));
        byte[] f = Frames.ethernet(BCAST, H1, 0x0800, 200);
        send(p1, f);
        assertThat(mon.sent().get(0)).hasSize(20).isEqualTo(java.util.Arrays.copyOf(f, 20));
        assertThat(p2.sent()).containsExactly(f);
        assertThat(p3.sent()).containsExactly(f);
    }

    @Test
    void aSnappedRspanCopyPaddedAfterItsTagWasPoppedLeavesTheFrameWhole() {
        MemoryPort trunk = add("trk", VlanConfig.trunk(VlanSet.of(10)));
        MemoryPort monitor = add("acc999", VlanConfig.access(999));
        sw.addMirror(new MirrorConfig("r", Set.of("trk"), Set.of(), null, false, null, 999, 40));
        byte[] f = Frames.tagged(BCAST, H1, 0x8100, 10, 0x0806, 200);
        send(trunk, f);
        // The copy: cut to 40 bytes, its tag popped for the access port, padded to the minimum.
        byte[] copy = java.util.Arrays.copyOf(Frames.ethernet(BCAST, H1, 0x0806, 200), 60);
        java.util.Arrays.fill(copy, 36, 60, (byte) 0);
        assertThat(HexFormat.of().formatHex(monitor.sent().get(0))).isEqualTo(HexFormat.of().formatHex(copy));
        // The frame itself goes on whole, to the trunks of every VLAN, after the copy.
        assertThat(HexFormat.of().formatHex(p2.sent().get(1))).isEqualTo(HexFormat.of().formatHex(f));
    }

    @Test
    void aSnappedRspanCopyLeavesTheOffloadOffsetsOfTheFrameRight() {
        sw.addMirror(new MirrorConfig("r", Set.of("p1"), Set.of(), null, false, null, 999, 20));
        frame.load(Frames.ethernet(BCAST, H1, 0x0800, 200));
        java.nio.ByteBuffer buf = frame.buffer();
        buf.put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        VnetHeader.putLe16(buf, frame.start() + VnetHeader.CSUM_START, 34);
        VnetHeader.putLe16(buf, frame.start() + VnetHeader.CSUM_OFFSET, 16);
        frame.inPort = sw.topology().idOf("p1");
        sw.process(frame);
        // The copies went out tagged with 999, the frame itself untagged, as it came.
        assertThat(p2.sent()).hasSize(2);
        assertThat(frame.tagged).isFalse();
        assertThat(VnetHeader.flags(buf, frame.start())).isEqualTo(VnetHeader.F_NEEDS_CSUM);
        assertThat(VnetHeader.getLe16(buf, frame.start() + VnetHeader.CSUM_START)).isEqualTo(34);
        assertThat(VnetHeader.getLe16(buf, frame.start() + VnetHeader.CSUM_OFFSET)).isEqualTo(16);
    }

    @Test
    void aMirrorNeverMirrorsAnotherMirrorsOutput() {
        MemoryPort mon2 = add("mon2", VlanConfig.DEFAULT);
        sw.addMirror(new MirrorConfig("all", null, null, null, true, "mon", 0, 0));
        sw.addMirror(span("watch-mon", Set.of(), Set.of("mon"), "mon2"));
        send(p1, Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(mon.sent()).hasSize(1);
        assertThat(mon2.sent()).isEmpty();
    }

    @Test
    void selectsByVlan() {
        MemoryPort a10 = add("a10", VlanConfig.access(10));
        add("b10", VlanConfig.access(10));
        sw.addMirror(new MirrorConfig("v", null, null, VlanSet.of(10), false, "mon", 0, 0));
        send(p1, Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(mon.sent()).isEmpty();
        send(a10, Frames.ethernet(BCAST, H2, 0x0806, 46));
        assertThat(mon.sent()).hasSize(1);
    }

    @Test
    void rejectsBadMirrors() {
        assertThatThrownBy(() -> sw.addMirror(span("x", Set.of("nope"), Set.of(), "mon"))).hasMessageContaining("no port named 'nope'");
        assertThatThrownBy(() -> span("x", Set.of("mon"), Set.of(), "mon")).hasMessageContaining("own output port");
        assertThatThrownBy(() -> new MirrorConfig("x", null, null, null, false, "mon", 0, 0)).hasMessageContaining("select:");
        assertThatThrownBy(() -> new MirrorConfig("x", null, null, null, true, "mon", 5, 0)).hasMessageContaining("output:");
        sw.addMirror(span("m", Set.of("p1"), Set.of(), "mon"));
        assertThatThrownBy(() -> sw.addMirror(span("m", Set.of("p2"), Set.of(), "p3"))).hasMessageContaining("already exists");
        assertThatThrownBy(() -> sw.addMirror(span("n", Set.of("p2"), Set.of(), "mon"))).hasMessageContaining("already a mirror output");
        assertThat(sw.removeMirror("m")).isTrue();
        assertThat(sw.removeMirror("m")).isFalse();
        send(p1, Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(mon.sent()).hasSize(1);
    }

    @Test
    void removingTheOutputPortRemovesTheMirror() {
        sw.addMirror(span("m", Set.of("p1"), Set.of(), "mon"));
        sw.removePort("mon");
        assertThat(sw.mirrors()).isEmpty();
    }
}
