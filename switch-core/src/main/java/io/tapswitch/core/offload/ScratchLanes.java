package io.tapswitch.core.offload;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

/**
 * A fixed set of scratch objects (buffers, native message arrays) that several threads may need at
 * once, each lent to one caller at a time: the tx scratch of a port that any forwarding thread may
 * send through.
 *
 * <p><b>Why lanes.</b> Software segmentation and tunnel encapsulation build headers and message
 * arrays per frame; allocating them per frame is out of the question, and one set per port would
 * need a lock held across a system call, which every thread forwarding to that port would queue on.
 * A thread-per-port switch may have many such threads, an event-loop switch a few; neither owns a
 * small integer id the port could index by. So a port keeps a few lanes and a caller claims one
 * with a compare-and-set on its busy flag, starting at a lane derived from its thread's id and
 * moving on to the next when that one is taken. Threads that send at the same moment thus end up on
 * different lanes; a thread alone, or one whose lane is free, pays one uncontended CAS to claim and
 * one release store to give back (tens of nanoseconds), and no lock. Only when every lane is in use
 * at the same instant does a caller spin ({@link Thread#onSpinWait()}) until one is given back,
 * which a lane holder does after one non-blocking send; more concurrent senders than lanes is the
 * one case that waits.
 *
 * <p><b>Cost in memory.</b> Lane contents are made on their first claim by {@code factory}, so a port
 * that only one thread ever sends through holds one; the rest are never made. Busy flags sit 64
 * bytes apart so that threads claiming different lanes do not share a cache line.
 *
 * <p>Usage is always {@code int lane = claim(); try { use(scratch(lane)); } finally { release(lane); }}.
 */
public final class ScratchLanes<T> {
    private static final VarHandle BUSY = MethodHandles.arrayElementVarHandle(int[].class);
    /** Ints between two busy flags: one 64-byte cache line each. */
    private static final int STRIDE = 16;

    private final int[] busy;
    private final Object[] scratch;
    private final Supplier<T> factory;
    private final int mask;

    /** {@code lanes} (a power of two, 1–64) lanes whose scratch {@code factory} makes on first use. */
    public ScratchLanes(int lanes, Supplier<T> factory) {
        if (lanes < 1 || lanes > 64 || Integer.bitCount(lanes) != 1) {
            throw new IllegalArgumentException("lanes must be a power of two from 1 to 64, was " + lanes);
        }
        this.busy = new int[lanes * STRIDE];
        this.scratch = new Object[lanes];
        this.factory = factory;
        this.mask = lanes - 1;
    }

    public int lanes() {
        return mask + 1;
    }

    /** Claims a free lane for the calling thread, waiting only while every lane is in use. */
    public int claim() {
        int start = (int) Thread.currentThread().getId();
        while (true) {
            for (int k = 0; k <= mask; k++) {
                int lane = (start + k) & mask;
                if ((int) BUSY.getOpaque(busy, lane * STRIDE) == 0 && BUSY.compareAndSet(busy, lane * STRIDE, 0, 1)) {
                    return lane;
                }
            }
            Thread.onSpinWait();
        }
    }

    /**
     * The scratch of a lane the caller has claimed, made on first use. Only the holder touches it;
     * the claim's CAS and the release's store order one holder's writes before the next one's reads.
     */
    @SuppressWarnings("unchecked")
    public T scratch(int lane) {
        Object s = scratch[lane];
        if (s == null) {
            s = factory.get();
            scratch[lane] = s;
        }
        return (T) s;
    }

    /** Gives a claimed lane back. */
    public void release(int lane) {
        BUSY.setRelease(busy, lane * STRIDE, 0);
    }

    /** How many lanes have had their scratch made (for tests and memory accounting). */
    public int made() {
        int n = 0;
        for (int i = 0; i <= mask; i++) {
            int lane = claimSpecific(i);
            try {
                n += scratch[lane] != null ? 1 : 0;
            } finally {
                release(lane);
            }
        }
        return n;
    }

    private int claimSpecific(int lane) {
        while (!BUSY.compareAndSet(busy, lane * STRIDE, 0, 1)) {
            Thread.onSpinWait();
        }
        return lane;
    }
}
