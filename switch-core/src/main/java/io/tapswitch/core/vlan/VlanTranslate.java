package io.tapswitch.core.vlan;

import io.tapswitch.core.frame.Ethernet;

import java.nio.ByteBuffer;

/**
 * The two pure functions of 802.1Q handling, after Open vSwitch's {@code input_vid_to_vlan} and
 * {@code output_vlan_to_vid}: which VLAN a frame arriving on a port belongs to, and how a frame of
 * a VLAN must leave a port. Both switch exhaustively on the port's mode and allocate nothing.
 *
 * <p>Results are packed in a primitive so that the frame path needs no objects:
 * {@link #input} returns a {@link Classification}-packed value or a negative {@link Ingress} code;
 * {@link #output} returns {@link #EGRESS_DROP}, {@link #EGRESS_UNTAGGED} or {@link #EGRESS_TAGGED}.
 *
 * <p>A tagged frame keeps the TPID it was classified with; a frame that gets its first tag in the
 * switch is tagged 0x8100, except frames from a dot1q-tunnel port, which get that port's S-tag
 * ethertype (0x88a8 by default), as in Open vSwitch's {@code qinq-ethtype}.
 */
public final class VlanTranslate {
    /** Output: the port is not a member of the VLAN. */
    public static final int EGRESS_DROP = -1;
    /** Output: send without a VLAN tag. */
    public static final int EGRESS_UNTAGGED = 0;
    /** Output: send with a tag of the frame's VLAN. */
    public static final int EGRESS_TAGGED = 1;
    /** Ethertypes read as a VLAN tag on ingress: 802.1Q, 802.1ad, and the pre-standard QinQ 0x9100. */
    public static final int ETH_P_QINQ_LEGACY = 0x9100;

    private VlanTranslate() {
    }

    /** Why a frame was refused at ingress; returned negated by {@link #input}. */
    public enum Ingress {
        /** Unused: keeps the negative codes starting at -1. */
        NONE,
        /** A tagged frame (nonzero VID) on an access port. */
        TAGGED_ON_ACCESS,
        /** The frame's VLAN is not in the port's allowed list. */
        NOT_ALLOWED,
        /** VID 4095, reserved. */
        RESERVED_VID,
        /** A tag TPID with fewer than 4 bytes after it. */
        TRUNCATED_TAG,
        /** An untagged frame on a port that has no VLAN for untagged frames. */
        UNTAGGED_NOT_ALLOWED;

        private static final Ingress[] VALUES = values();

        public static Ingress fromCode(long code) {
            return VALUES[(int) -code];
        }
    }

    /**
     * Packing of a successful classification: VLAN (bits 0–11), PCP (12–14), whether the frame
     * carries the outer tag it was classified on (15), and the TPID a tag of this VLAN has on the
     * wire (16–31).
     */
    public static final class Classification {
        private Classification() {
        }

        public static int vlan(long c) {
            return (int) (c & 0xfff);
        }

        public static int pcp(long c) {
            return (int) ((c >>> 12) & 0x7);
        }

        /** Whether the frame carries the tag it was classified on (which egress may keep or pop). */
        public static boolean tagged(long c) {
            return (c & 0x8000) != 0;
        }

        /** The TPID of this VLAN's tag on the wire: the received one, or the one to push. */
        public static int tpid(long c) {
            return (int) (c >>> 16);
        }

        static long of(int vlan, int pcp, int tpid, boolean tagged) {
            return ((long) tpid << 16) | (tagged ? 0x8000 : 0) | ((long) pcp << 12) | vlan;
        }
    }

    /** Whether {@code type} is a VLAN tag TPID this switch recognizes on ingress. */
    public static boolean isTagType(int type) {
        return type == Ethernet.ETH_P_8021Q || type == Ethernet.ETH_P_8021AD || type == ETH_P_QINQ_LEGACY;
    }

    /**
     * Classifies a frame arriving on a port with configuration {@code port}.
     *
     * @return a {@link Classification}-packed value (≥ 0) or a negated {@link Ingress} ordinal
     */
    public static long input(VlanConfig port, ByteBuffer buf, int frame, int length) {
        int type = Ethernet.type(buf, frame);
        boolean tagged = isTagType(type);
        if (port.mode() == VlanMode.DOT1Q_TUNNEL) {
            int pcp = 0;
            if (tagged && length >= Ethernet.HEADER_LEN + Ethernet.TAG_LEN) {
                pcp = Ethernet.tci(buf, frame) >>> 13;
            }
            return Classification.of(port.tag(), pcp, port.tpid(), false);
        }
        if (!tagged) {
            return switch (port.mode()) {
                case ACCESS, NATIVE_UNTAGGED, NATIVE_TAGGED -> Classification.of(port.tag(), 0, Ethernet.ETH_P_8021Q, false);
                case TRUNK -> Classification.of(0, 0, Ethernet.ETH_P_8021Q, false);
                case DOT1Q_TUNNEL -> throw new AssertionError("handled above");
            };
        }
        if (length < Ethernet.HEADER_LEN + Ethernet.TAG_LEN) {
            return -Ingress.TRUNCATED_TAG.ordinal();
        }
        int tci = Ethernet.tci(buf, frame);
        int vid = tci & 0xfff;
        int pcp = tci >>> 13;
        if (vid == 4095) {
            return -Ingress.RESERVED_VID.ordinal();
        }
        return switch (port.mode()) {
            case ACCESS -> vid == 0 ? Classification.of(port.tag(), pcp, type, true) : -Ingress.TAGGED_ON_ACCESS.ordinal();
            case TRUNK -> {
                if (vid == 0) {
                    yield Classification.of(0, pcp, type, true);
                }
                yield port.trunks().allows(vid) ? Classification.of(vid, pcp, type, true) : -Ingress.NOT_ALLOWED.ordinal();
            }
            case NATIVE_UNTAGGED, NATIVE_TAGGED -> {
                if (vid == 0 || vid == port.tag()) {
                    yield Classification.of(port.tag(), pcp, type, true);
                }
                yield port.trunks().allows(vid) ? Classification.of(vid, pcp, type, true) : -Ingress.NOT_ALLOWED.ordinal();
            }
            case DOT1Q_TUNNEL -> throw new AssertionError("handled above");
        };
    }

    /**
     * How a frame of VLAN {@code vlan} leaves a port with configuration {@code port}.
     *
     * @return {@link #EGRESS_DROP}, {@link #EGRESS_UNTAGGED} or {@link #EGRESS_TAGGED}
     */
    public static int output(VlanConfig port, int vlan) {
        return switch (port.mode()) {
            case ACCESS, DOT1Q_TUNNEL -> vlan == port.tag() ? EGRESS_UNTAGGED : EGRESS_DROP;
            case TRUNK -> {
                if (vlan == 0) {
                    yield EGRESS_UNTAGGED;
                }
                yield port.trunks().allows(vlan) ? EGRESS_TAGGED : EGRESS_DROP;
            }
            case NATIVE_UNTAGGED -> {
                if (vlan == port.tag()) {
                    yield EGRESS_UNTAGGED;
                }
                yield vlan != 0 && port.trunks().allows(vlan) ? EGRESS_TAGGED : EGRESS_DROP;
            }
            case NATIVE_TAGGED -> {
                if (vlan == port.tag()) {
                    yield EGRESS_TAGGED;
                }
                yield vlan != 0 && port.trunks().allows(vlan) ? EGRESS_TAGGED : EGRESS_DROP;
            }
        };
    }

    /** Whether a port is a member of {@code vlan} (would send frames of it). */
    public static boolean isMember(VlanConfig port, int vlan) {
        return output(port, vlan) != EGRESS_DROP;
    }
}
