package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.sys.SendMessages;

/**
 * One event loop's frames waiting to be sent, per egress port that sends in bursts
 * ({@link Port#sendsBatches()}, AF_PACKET ports): during a pass {@link FramePath} queues a frame
 * here instead of sending it, and the loop sends each port's queue with one {@code sendmmsg} when
 * the pass ends ({@link #flush()}).
 *
 * <p>A queued frame is sent from where it was read, so its {@link Frame} must stay untouched until
 * the flush: FramePath queues only a frame's last use (one egress, no mirror to copy it to
 * afterwards), marks the frame {@link Frame#held}, and the loop reads into other frames meanwhile.
 * Frames to a port are sent in the order they were decided: a frame that must be sent at once to a
 * port with a queue (a flood, a mirror copy, a frame segmented in software) first flushes that queue.
 *
 * <p>Per port the loop keeps a {@link SendMessages} of {@link #SLOTS} slots (about 5 KB), made the
 * first time the loop queues to that port id and kept for the loop's life; nothing is allocated per
 * frame. Not thread-safe: it belongs to its loop.
 */
final class EgressBatches {
    /** Frames one port's queue holds; a full queue is sent at once. */
    static final int SLOTS = EventLoop.BUDGET;

    private static final class Queue {
        final SendMessages messages = new SendMessages(SLOTS);
        final int[] lengths = new int[SLOTS];
        SwitchPort port;
        int count;
        /** Whether the queue's id is in {@link #dirty} this pass. */
        boolean listed;
    }

    private final Queue[] byId = new Queue[MacTable.MAX_PORTS];
    private final int[] dirty = new int[MacTable.MAX_PORTS];
    private int dirtyCount;

    /**
     * Queues the frame as it stands for {@code out} and returns true; false when the port does not
     * send in bursts (then nothing was queued). The caller marks the frame held.
     */
    boolean queue(SwitchPort out, Frame frame) {
        Port device = out.device();
        if (!device.sendsBatches()) {
            return false;
        }
        int id = out.id();
        Queue q = byId[id];
        if (q == null) {
            q = new Queue();
            byId[id] = q;
        }
        if (!q.listed) {
            q.listed = true;
            dirty[dirtyCount++] = id;
        }
        if (q.count == 0) {
            q.port = out;
        } else if (q.port != out || q.count == SLOTS) {
            send(q);
            q.port = out;
        }
        if (device.vnetHeader()) {
            q.messages.set(q.count, frame.address() + frame.start(), VnetHeader.LEN + frame.length());
        } else {
            q.messages.set(q.count, frame.address() + frame.frame(), frame.length());
        }
        q.lengths[q.count++] = frame.length();
        return true;
    }

    /** Sends what is queued for {@code out} now, before a frame that is sent to it directly. */
    void flush(SwitchPort out) {
        Queue q = byId[out.id()];
        if (q != null && q.count > 0) {
            send(q);
        }
    }

    /** Whether any frame is queued. */
    boolean pending() {
        return dirtyCount > 0;
    }

    /** Sends every queue; afterwards no queued frame refers to any {@link Frame}. */
    void flush() {
        for (int i = 0; i < dirtyCount; i++) {
            Queue q = byId[dirty[i]];
            q.listed = false;
            if (q.count > 0) {
                send(q);
            }
        }
        dirtyCount = 0;
    }

    /**
     * Sends one queue, counting each frame on its port as {@link FramePath} counts a single send: a
     * frame the kernel refused is a send error and the rest are still tried.
     */
    private static void send(Queue q) {
        SwitchPort out = q.port;
        PortStats stats = out.stats();
        int from = 0;
        while (from < q.count) {
            int n = out.device().send(q.messages, from, q.count - from);
            if (n > 0) {
                for (int i = from; i < from + n; i++) {
                    stats.sent(q.lengths[i]);
                }
                from += n;
            } else {
                stats.sendError();
                from++;
            }
        }
        q.count = 0;
    }
}
