package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.impair.DelayLine;
import io.tapswitch.core.impair.Impairment;
import io.tapswitch.core.impair.LinkImpairment;
import io.tapswitch.core.impair.Xorshift;

/**
 * One event loop's link impairments: the {@link DelayLine}s of the impaired ports it reads from
 * (ingress) or sends to (egress), the random draws, and the release of what has become due.
 *
 * <p><b>Where.</b> Ingress impairment applies to a frame after it was counted and captured as it
 * arrived, before anything is decided about it: a delayed frame is decided (and learned from) when
 * it is released, against the topology of that moment. Egress impairment applies when a frame
 * leaves through an impaired port, after its tag was set for that port: the copy is sent as it
 * stood. Loss alone needs no queue; delay, rate and duplication queue copies.
 *
 * <p><b>Per loop.</b> A line belongs to the loop that fills it, so no frame path shares one and
 * nothing is locked. A port's ingress has one loop, the one that reads it. Its egress may be fed by
 * several loops (with {@code datapath.threads} above 1), each with a line of its own: the delay is
 * exact, but each loop shapes its own share to the rate.
 *
 * <p><b>Lifetime.</b> A line is made by the loop on the first frame that needs one after the
 * impairment was set, sized from the settings ({@link DelayLine#bytesFor}); a change of settings
 * applies to the next frame, and a line made too small or too large is replaced once it is empty.
 * A line whose impairment was cleared is released at once, in order, and dropped; one whose port was
 * removed (or whose id now names another port) is discarded without sending.
 */
final class Impairments {
    static final int EGRESS = 0;
    static final int INGRESS = 1;
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;

    /** What releases a line's frames: the loop, which lends its frames and sends through its batches. */
    interface Release {
        /** A free frame of the loop, reset, marked as read on port {@code id}. */
        Frame lend(int id);

        /** Returns the frame {@link #lend} gave (the loop keeps it aside if a queued send holds it). */
        void giveBack();

        /** Sends a released egress copy through {@code port}. */
        void send(SwitchPort port, Frame frame);

        /** Decides and sends a released ingress frame. */
        void process(Frame frame);
    }

    /** By {@code 2 * port id + direction}: the line, and the port it was made for. */
    private final DelayLine[] lines = new DelayLine[2 * MacTable.MAX_PORTS];
    private final SwitchPort[] owners = new SwitchPort[2 * MacTable.MAX_PORTS];
    /** The keys of {@link #lines} in use, in no order. */
    private final int[] active = new int[2 * MacTable.MAX_PORTS];
    private int activeCount;
    private final Xorshift random;

    Impairments(long seed) {
        this.random = new Xorshift(seed);
    }

    /** Whether any line exists (queued frames, or an impaired port that had traffic). */
    boolean any() {
        return activeCount > 0;
    }

    /** Frames queued in every line. */
    int queued() {
        int n = 0;
        for (int i = 0; i < activeCount; i++) {
            n += lines[active[i]].size();
        }
        return n;
    }

    /**
     * How a frame received on {@code in} goes on: null when at once, else why not. Lost and refused
     * frames are counted as decisions of the port; a queued one is decided when released.
     */
    Reason ingress(SwitchPort in, Frame frame, Impairment spec, long now) {
        int verdict = offer(in, INGRESS, frame, spec, now);
        if (verdict == 1) {
            return null;
        }
        Reason reason = why(verdict);
        if (reason != Reason.HELD_BY_IMPAIRMENT) {
            in.stats().decided(reason);
        }
        return reason;
    }

    /**
     * How many copies of a frame about to leave through {@code out} go at once (0 or 1); lost and
     * refused ones are counted as tx drops of the port.
     */
    int egress(SwitchPort out, Frame frame, Impairment spec, long now) {
        int verdict = offer(out, EGRESS, frame, spec, now);
        if (verdict < 0) {
            out.stats().txDropped(why(verdict));
            return 0;
        }
        return verdict;
    }

    private static Reason why(int verdict) {
        return switch (verdict) {
            case DelayLine.LOST -> Reason.DROP_IMPAIR_LOSS;
            case DelayLine.FULL -> Reason.DROP_IMPAIR_QUEUE_FULL;
            default -> Reason.HELD_BY_IMPAIRMENT;
        };
    }

    private int offer(SwitchPort port, int direction, Frame frame, Impairment spec, long now) {
        if (!spec.queues()) {
            return random.chance(spec.lossPercent()) ? DelayLine.LOST : 1;
        }
        return line(port, direction, spec).offer(frame, now, spec, random);
    }

    /** The line of {@code port}'s {@code direction}, made (or remade, when empty and sized otherwise) as needed. */
    private DelayLine line(SwitchPort port, int direction, Impairment spec) {
        int key = 2 * port.id() + direction;
        DelayLine line = lines[key];
        if (line != null && owners[key] == port
                && (!line.isEmpty() || line.capacityBytes() == DelayLine.bytesFor(spec))) {
            return line;
        }
        if (line == null) {
            active[activeCount++] = key;
        } else {
            line.clear();
        }
        line = DelayLine.sizedFor(spec);
        lines[key] = line;
        owners[key] = port;
        return line;
    }

    /**
     * Milliseconds until the earliest queued frame is due (rounded up, at most a second), 0 when one
     * is due now, -1 when nothing is queued.
     */
    int timeoutMillis(long now) {
        long earliest = Long.MAX_VALUE;
        boolean queued = false;
        for (int i = 0; i < activeCount; i++) {
            DelayLine line = lines[active[i]];
            if (!line.isEmpty()) {
                long left = line.nextDue() - now;
                if (!queued || left < earliest) {
                    earliest = left;
                }
                queued = true;
            }
        }
        if (!queued) {
            return -1;
        }
        return earliest <= 0 ? 0 : (int) ((Math.min(earliest, MAX_WAIT_NANOS) + 999_999) / 1_000_000);
    }

    /**
     * Releases what is due at {@code now} against topology {@code t}: due frames of lines still
     * impaired, every frame of lines whose impairment was cleared; discards the lines of ports that
     * are gone. Returns whether a frame was released.
     */
    boolean release(long now, Topology t, Release loop) {
        boolean released = false;
        for (int i = activeCount - 1; i >= 0; i--) {
            int key = active[i];
            int id = key >> 1;
            DelayLine line = lines[key];
            SwitchPort port = t.port(id);
            if (port != owners[key]) {
                drop(i);
                continue;
            }
            Impairment spec = current(t.config(id).impair(), key & 1);
            boolean cleared = spec == null || !spec.queues();
            while (cleared ? !line.isEmpty() : line.due(now)) {
                Frame frame = loop.lend(id);
                line.pop(frame);
                if ((key & 1) == EGRESS) {
                    loop.send(port, frame);
                } else {
                    loop.process(frame);
                }
                loop.giveBack();
                released = true;
            }
            if (cleared) {
                drop(i);
            }
        }
        return released;
    }

    private static Impairment current(LinkImpairment link, int direction) {
        if (link == null) {
            return null;
        }
        return direction == EGRESS ? link.egress() : link.ingress();
    }

    /** Forgets the line at {@code active[i]} and what it holds. */
    private void drop(int i) {
        int key = active[i];
        lines[key] = null;
        owners[key] = null;
        active[i] = active[--activeCount];
    }
}
