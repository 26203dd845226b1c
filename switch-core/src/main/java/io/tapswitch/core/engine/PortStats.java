package io.tapswitch.core.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one port.
 *
 * <p>Receive-side counters and decisions are written only by the port's own reading thread, so they
 * are plain fields published with opaque writes. Transmit counters, transmit drops included, are
 * written by every thread that forwards to the port, so they use atomic adds. Readers (the control
 * plane) see a recent value.
 */
public final class PortStats {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int RX_PACKETS = 0;
    private static final int RX_BYTES = 1;
    private static final int TX_PACKETS = 2;
    private static final int TX_BYTES = 3;
    private static final int TX_ERRORS = 4;
    private static final int RX_ERRORS = 5;
    private static final int LEARN_REFUSED = 6;
    private static final int FIXED = 7;
    /** Where the per-{@link Reason} counters start: decisions of received frames, then transmit drops. */
    private static final int DECISIONS = FIXED;
    private static final int TX_DROPS = DECISIONS + Reason.count();

    private final long[] values = new long[TX_DROPS + Reason.count()];

    void received(int bytes) {
        LONGS.setOpaque(values, RX_PACKETS, (long) LONGS.getOpaque(values, RX_PACKETS) + 1);
        LONGS.setOpaque(values, RX_BYTES, (long) LONGS.getOpaque(values, RX_BYTES) + bytes);
    }

    void decided(Reason reason) {
        int i = DECISIONS + reason.ordinal();
        LONGS.setOpaque(values, i, (long) LONGS.getOpaque(values, i) + 1);
    }

    void receiveError() {
        LONGS.setOpaque(values, RX_ERRORS, (long) LONGS.getOpaque(values, RX_ERRORS) + 1);
    }

    void refusedLearning() {
        LONGS.setOpaque(values, LEARN_REFUSED, (long) LONGS.getOpaque(values, LEARN_REFUSED) + 1);
    }

    /** Frames forwarded without learning their source because of the port's MAC limit. */
    public long learnRefused() {
        return (long) LONGS.getOpaque(values, LEARN_REFUSED);
    }

    void sent(int bytes) {
        LONGS.getAndAdd(values, TX_PACKETS, 1L);
        LONGS.getAndAdd(values, TX_BYTES, (long) bytes);
    }

    void sendError() {
        LONGS.getAndAdd(values, TX_ERRORS, 1L);
    }

    void txDropped(Reason reason) {
        LONGS.getAndAdd(values, TX_DROPS + reason.ordinal(), 1L);
    }

    public long rxPackets() {
        return (long) LONGS.getOpaque(values, RX_PACKETS);
    }

    public long rxBytes() {
        return (long) LONGS.getOpaque(values, RX_BYTES);
    }

    public long txPackets() {
        return (long) LONGS.getOpaque(values, TX_PACKETS);
    }

    public long txBytes() {
        return (long) LONGS.getOpaque(values, TX_BYTES);
    }

    public long txErrors() {
        return (long) LONGS.getOpaque(values, TX_ERRORS);
    }

    public long rxErrors() {
        return (long) LONGS.getOpaque(values, RX_ERRORS);
    }

    /** How many frames received on this port ended with {@code reason}. */
    public long decisions(Reason reason) {
        return (long) LONGS.getOpaque(values, DECISIONS + reason.ordinal());
    }

    /**
     * How many frames forwarding chose this port for, and this port did not send because of
     * {@code reason}: a drop found only at transmit time, such as
     * {@link Reason#DROP_OFFLOAD_UNSUPPORTED}. These frames count as {@link #txErrors()} too; this
     * says why.
     */
    public long txDrops(Reason reason) {
        return (long) LONGS.getOpaque(values, TX_DROPS + reason.ordinal());
    }

    /** Frames received here and dropped, all reasons together. */
    public long drops() {
        long sum = 0;
        for (int i = 0; i < Reason.count(); i++) {
            if (Reason.of(i).isDrop()) {
                sum += (long) LONGS.getOpaque(values, DECISIONS + i);
            }
        }
        return sum;
    }
}
