package io.tapswitch.core.port;

/**
 * Why a port refused a frame by design rather than by failure: a tunnel port that received a
 * datagram it cannot hand over as a frame, or that is asked to send a frame its tunnel cannot carry.
 *
 * <p>Such refusals are drops with a reason, not device errors, and the switch counts them with the
 * rest of its drop reasons, where the API and the console already show them. A port cannot name
 * the switch's reasons (the engine sits above the ports), so it names one of these and the engine
 * maps each to its own reason. They reach it two ways: {@link Port#send} returns {@link #code()},
 * a value below every negated errno; and a receiving port marks a frame it read but refuses with
 * {@code frame.refusal = code()}, so that the frame is counted against the port that read it and
 * goes nowhere.
 */
public enum Refusal {
    /** A VXLAN datagram whose VNI no VLAN maps to. */
    UNKNOWN_VNI,
    /** A datagram on the tunnel port that is not valid VXLAN (I flag clear, too short, cut short). */
    MALFORMED_VXLAN,
    /** A frame whose VLAN maps to no VNI, towards a VTEP. */
    VLAN_NOT_MAPPED,
    /** A frame that would exceed the underlay MTU once encapsulated (and is no GSO frame to cut). */
    TOO_BIG_FOR_UNDERLAY,
    /** An offloaded frame (GSO, partial checksum) the port cannot send and nothing could segment. */
    OFFLOAD_UNSUPPORTED;

    /** Codes sit below this, beyond any errno the kernel returns (errnos stay under 4096). */
    private static final int BASE = -(1 << 16);
    private static final Refusal[] VALUES = values();

    /** The value a port returns from {@link Port#send}, or puts in a received frame's {@code refusal}. */
    public int code() {
        return BASE - ordinal();
    }

    /** The refusal {@code code} stands for, or null when it is none (0, a negated errno). */
    public static Refusal of(int code) {
        int ordinal = BASE - code;
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
    }
}
