package io.tapswitch.core.vlan;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The VLAN functions on their own, at the edges the switch-level table does not reach: tags that
 * end exactly where the frame does, and a retag that changes only the TPID.
 *
 * <p>Equivalent mutants: in {@link VlanEncap#apply} the test for "already tagged as wanted" may read
 * the wrong bytes or give up early, as long as it never wrongly returns early: the tag is then
 * rewritten with the same value. {@link VlanEncap}'s padding test {@code length < 60} as {@code <= 60}
 * pads a 60-byte frame to 60 bytes.
 */
class VlanTranslateTest {
    private static final long DST = Frames.mac("ff:ff:ff:ff:ff:ff");
    private static final long SRC = Frames.mac("02:00:00:00:00:01");

    private final Frame frame = new Frame(4);

    private long classify(VlanConfig port, byte[] bytes) {
        frame.load(bytes);
        return VlanTranslate.input(port, frame.buffer(), frame.frame(), frame.length());
    }

    @Test
    void aTagThatEndsWithTheFrameIsRead() {
        byte[] tagOnly = java.util.Arrays.copyOf(Frames.tagged(DST, SRC, 0x8100, (5 << 13) | 20, 0x0800, 0), 18);
        long trunk = classify(VlanConfig.trunk(VlanSet.EMPTY), tagOnly);
        assertThat(trunk).isNotNegative();
        assertThat(VlanTranslate.Classification.vlan(trunk)).isEqualTo(20);
        assertThat(VlanTranslate.Classification.pcp(trunk)).isEqualTo(5);

        long tunnel = classify(VlanConfig.dot1qTunnel(100), tagOnly);
        assertThat(VlanTranslate.Classification.vlan(tunnel)).isEqualTo(100);
        assertThat(VlanTranslate.Classification.pcp(tunnel)).as("the customer's priority rides on").isEqualTo(5);

        long truncated = classify(VlanConfig.trunk(VlanSet.EMPTY), java.util.Arrays.copyOf(tagOnly, 17));
        assertThat(VlanTranslate.Ingress.fromCode(truncated)).isEqualTo(VlanTranslate.Ingress.TRUNCATED_TAG);
        long tunnelTruncated = classify(VlanConfig.dot1qTunnel(100), java.util.Arrays.copyOf(tagOnly, 17));
        assertThat(VlanTranslate.Classification.pcp(tunnelTruncated)).isZero();
    }

    @Test
    void retaggingWithTheSameVidButAnotherTpidRewritesTheTpid() {
        frame.load(Frames.tagged(DST, SRC, 0x8100, 10, 0x0800, 46));
        frame.tagged = true;
        frame.vlan = 10;
        frame.pcp = 0;
        frame.tpid = Ethernet.ETH_P_8021AD;
        VlanEncap.apply(frame, VlanTranslate.EGRESS_TAGGED);
        assertThat(Ethernet.type(frame.buffer(), frame.frame())).isEqualTo(0x88a8);
        assertThat(Ethernet.tci(frame.buffer(), frame.frame())).isEqualTo(10);
        assertThat(frame.length()).isEqualTo(64);
    }

    @Test
    void retaggingWithAnotherPriorityRewritesTheTci() {
        frame.load(Frames.tagged(DST, SRC, 0x8100, 10, 0x0800, 46));
        frame.tagged = true;
        frame.vlan = 10;
        frame.pcp = 6;
        frame.tpid = Ethernet.ETH_P_8021Q;
        VlanEncap.apply(frame, VlanTranslate.EGRESS_TAGGED);
        assertThat(Ethernet.tci(frame.buffer(), frame.frame())).isEqualTo((6 << 13) | 10);
        assertThat(Ethernet.type(frame.buffer(), frame.frame())).isEqualTo(0x8100);
    }
}
