package io.tapswitch.core.impair;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;

import java.nio.ByteBuffer;

/**
 * The queue of one impaired direction of one port: copies of the frames held back by a delay or a
 * rate, each with the time it is due, released in the order they came.
 *
 * <p><b>Why copies in a byte ring.</b> The frame path reads into a loop's few {@link Frame}s (66 KB
 * each, made for a 64 KB GSO super-frame); holding those for the length of a delay would need as
 * many as the delay holds frames. The line instead copies each frame's bytes (vnet header and
 * Ethernet frame, nothing more) into one direct buffer used as a ring, so a 100-byte ping costs 110
 * bytes of it and a super-frame 64 KB, and the memory is fixed when the line is made: its size comes
 * from the settings ({@link #bytesFor}), at most {@link #MAX_BYTES}. A frame that does not fit is
 * refused ({@link #FULL}): a router's tail drop, counted by the caller. Nothing is allocated per frame.
 *
 * <p><b>Rate.</b> The rate is a token bucket without burst, kept as the time the link is next free:
 * a frame starts when the frame ahead of it has left (or now, if the link idles) and takes its bytes
 * at the rate; its delay starts after that, as netem does. A TCP sender that sends faster fills the
 * ring and meets the tail drop, which is how it learns the rate.
 *
 * <p>Owned by one event loop: not thread-safe, and not meant to be.
 */
public final class DelayLine {
    /** {@link #offer} outcome: the frame is dropped as lost. */
    public static final int LOST = -1;
    /** {@link #offer} outcome: no room for the frame; it is dropped. */
    public static final int FULL = -2;
    public static final int MIN_BYTES = 512 * 1024;
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    /** The rate assumed for sizing a line without a rate limit: 1 Gbit/s in bytes per second. */
    private static final double UNLIMITED_BYTES_PER_SECOND = 125_000_000;

    private final ByteBuffer data;
    private final int capacity;
    private final long[] due;
    private final int[] offset;
    private final int[] length;
    /** VLAN, PCP, tag state, TPID and ingress port of each copy, packed ({@link #meta}). */
    private final long[] meta;
    private int head;
    private int count;
    /** Where the next copy's bytes go, and where the oldest copy's bytes are. */
    private int writeAt;
    private int readAt;
    /** When the link has sent what is queued at the rate ({@code System.nanoTime()} scale). */
    private long linkFreeAt;
    /** The due time of the newest copy: no later frame is due before it. */
    private long lastDue;

    public DelayLine(int capacityBytes, int slots) {
        this.capacity = capacityBytes;
        this.data = ByteBuffer.allocateDirect(capacityBytes);
        this.due = new long[slots];
        this.offset = new int[slots];
        this.length = new int[slots];
        this.meta = new long[slots];
    }

    /** A line sized for {@code spec} ({@link #bytesFor}). */
    public static DelayLine sizedFor(Impairment spec) {
        int bytes = bytesFor(spec);
        return new DelayLine(bytes, Math.max(1024, Math.min(65_536, bytes / 128)));
    }

    /**
     * Bytes a line needs for {@code spec}: what the rate (1 Gbit/s when unlimited) carries during the
     * delay and its jitter, plus 200 ms of queue behind a rate limit (20 ms without), between
     * {@link #MIN_BYTES} and {@link #MAX_BYTES}.
     */
    public static int bytesFor(Impairment spec) {
        double perSecond = spec.rateKbit() > 0 ? spec.rateKbit() * 125.0 : UNLIMITED_BYTES_PER_SECOND;
        double seconds = (spec.delayMs() + spec.jitterMs()) / 1000 + (spec.rateKbit() > 0 ? 0.2 : 0.02);
        return (int) Math.max(MIN_BYTES, Math.min(MAX_BYTES, perSecond * seconds));
    }

    public int capacityBytes() {
        return capacity;
    }

    public int size() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** When the oldest copy is due; meaningless when empty. */
    public long nextDue() {
        return due[head];
    }

    /** Whether the oldest copy is due at {@code now}. */
    public boolean due(long now) {
        return count > 0 && due[head] - now <= 0;
    }

    /**
     * Applies {@code spec} to a frame arriving at {@code now}: returns how many copies the caller
     * sends at once (1 for a frame that skips the queue, 0 for one queued here), or {@link #LOST} or
     * {@link #FULL}. A frame goes at once when it is reordered, or when nothing holds it back (no
     * delay, no rate: only a duplicate to queue). A duplicate is queued right behind its original,
     * due with it.
     */
    public int offer(Frame frame, long now, Impairment spec, Xorshift random) {
        if (random.chance(spec.lossPercent())) {
            return LOST;
        }
        boolean duplicate = random.chance(spec.duplicatePercent());
        boolean atOnce = spec.delayMs() > 0 ? random.chance(spec.reorderPercent()) : spec.rateKbit() == 0;
        if (atOnce) {
            if (duplicate) {
                put(frame, now);
            }
            return 1;
        }
        long start = now;
        if (spec.rateKbit() > 0) {
            start = Math.max(now, linkFreeAt) + spec.transmitNanos(frame.length());
        }
        long jitter = spec.jitterMs() > 0 ? (long) ((random.nextDouble() * 2 - 1) * spec.jitterNanos()) : 0;
        long when = start + spec.delayNanos() + jitter;
        if (count > 0 && when - lastDue < 0) {
            when = lastDue;
        }
        if (!put(frame, when)) {
            return FULL;
        }
        linkFreeAt = start;
        lastDue = when;
        if (duplicate) {
            put(frame, when);
        }
        return 0;
    }

    /** Copies the frame in, due at {@code when}; false when there is no room. */
    private boolean put(Frame frame, long when) {
        int bytes = VnetHeader.LEN + frame.length();
        if (count == due.length) {
            return false;
        }
        int at = room(bytes);
        if (at < 0) {
            return false;
        }
        data.put(at, frame.buffer(), frame.start(), bytes);
        int slot = (head + count) % due.length;
        due[slot] = when;
        offset[slot] = at;
        length[slot] = bytes;
        meta[slot] = meta(frame);
        if (count == 0) {
            readAt = at;
        }
        count++;
        writeAt = at + bytes;
        return true;
    }

    /**
     * Where {@code bytes} contiguous bytes fit, or -1. Free space is behind the newest copy up to the
     * end, then from the start up to the oldest copy; a copy never wraps. The write position may meet
     * the oldest copy only when the ring is full, which the count tells apart from empty.
     */
    private int room(int bytes) {
        if (count == 0) {
            return bytes <= capacity ? 0 : -1;
        }
        if (writeAt > readAt) {
            if (capacity - writeAt >= bytes) {
                return writeAt;
            }
            return readAt >= bytes ? 0 : -1;
        }
        return readAt - writeAt >= bytes ? writeAt : -1;
    }

    /** Moves the oldest copy into {@code into} (reset first, as a port would read it) and forgets it. */
    public void pop(Frame into) {
        int slot = head;
        into.reset();
        into.buffer().put(into.start(), data, offset[slot], length[slot]);
        into.setLength(length[slot] - VnetHeader.LEN);
        long m = meta[slot];
        into.vlan = (int) (m & 0xfff);
        into.pcp = (int) (m >>> 12) & 7;
        into.tagged = ((m >>> 15) & 1) != 0;
        into.tpid = (int) (m >>> 16) & 0xffff;
        into.inPort = (int) (m >>> 32);
        head = (head + 1) % due.length;
        count--;
        if (count > 0) {
            readAt = offset[head];
        }
    }

    /** Forgets every copy. */
    public void clear() {
        head = 0;
        count = 0;
        writeAt = 0;
        readAt = 0;
    }

    private static long meta(Frame f) {
        return (f.vlan & 0xfffL) | (long) (f.pcp & 7) << 12 | (f.tagged ? 1L << 15 : 0) | (long) (f.tpid & 0xffff) << 16
                | (long) f.inPort << 32;
    }
}
