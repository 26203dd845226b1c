package io.tapswitch.core.vlan;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;

import java.nio.ByteBuffer;

/**
 * Puts a frame into the tag state an egress port wants, in place.
 *
 * <p>Flooding visits ports of different modes in turn, so the frame is moved from whatever state
 * the previous port left it in: push, pop or rewrite a tag by moving only the vnet header and the
 * two MAC addresses (22 bytes), never the payload. A popped frame shorter than the 60-byte minimum
 * is padded with zeros, a step both Open vSwitch and VDE once forgot.
 */
public final class VlanEncap {
    private VlanEncap() {
    }

    /**
     * Applies {@code action} ({@link VlanTranslate#EGRESS_UNTAGGED} or
     * {@link VlanTranslate#EGRESS_TAGGED}) to {@code frame}, using its VLAN, PCP and TPID.
     */
    public static void apply(Frame frame, int action) {
        if (action == VlanTranslate.EGRESS_UNTAGGED) {
            if (frame.tagged) {
                pop(frame);
            }
            return;
        }
        int tci = (frame.pcp << 13) | frame.vlan;
        ByteBuffer buf = frame.buffer();
        if (!frame.tagged) {
            frame.shiftHead(Ethernet.TAG_LEN);
            frame.tagged = true;
        } else if ((buf.getShort(frame.frame() + Ethernet.TCI) & 0xffff) == tci
                && (buf.getShort(frame.frame() + Ethernet.TYPE) & 0xffff) == frame.tpid) {
            return;
        }
        buf.putShort(frame.frame() + Ethernet.TYPE, (short) frame.tpid);
        buf.putShort(frame.frame() + Ethernet.TCI, (short) tci);
    }

    private static void pop(Frame frame) {
        frame.shiftHead(-Ethernet.TAG_LEN);
        frame.tagged = false;
        ByteBuffer buf = frame.buffer();
        if (frame.length() < Ethernet.MIN_FRAME && VnetHeader.gsoType(buf, frame.start()) == VnetHeader.GSO_NONE) {
            int at = frame.frame();
            for (int i = frame.length(); i < Ethernet.MIN_FRAME; i++) {
                buf.put(at + i, (byte) 0);
            }
            frame.setLength(Ethernet.MIN_FRAME);
        }
    }
}
