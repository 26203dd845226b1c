package io.tapswitch.core.capture;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.offload.Segmenter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One running capture: frames offered by forwarding threads go into a bounded byte ring, and a
 * dedicated writer thread turns them into a pcap stream.
 *
 * <p>Forwarding never waits for the writer: a frame that does not fit in the ring is dropped and
 * counted. The ring's lock is held only to copy one frame in or to take the pending bytes out, and
 * only while this capture exists, so the switch's normal path is untouched. The capture ends at its
 * frame, byte or time limit, when stopped, or when the output fails (a closed HTTP download).
 */
public final class Capture implements AutoCloseable {
    private static final int RECORD_META = 16;

    private final CaptureSpec spec;
    private final PcapWriter writer;
    private final OutputStream out;
    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final java.util.concurrent.locks.Condition ready = lock.newCondition();
    private int head;
    private int tail;
    private int used;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong acceptedBytes = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final long deadlineNanos;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;
    private final Consumer<Capture> onEnd;
    private volatile boolean stopping;
    private volatile IOException failure;
    private final long epochOffsetNanos;
    /** Scratch of {@link #offerWireFrames}, used under {@link #lock}; the buffer is made on first need. */
    private final Segmenter segmenter = new Segmenter();
    private ByteBuffer wire;

    Capture(CaptureSpec spec, OutputStream out, Consumer<Capture> onEnd) {
        this.spec = spec;
        this.out = out;
        this.onEnd = onEnd;
        this.writer = new PcapWriter(out, spec.nanos());
        this.ring = new byte[spec.queueBytes()];
        java.time.Duration d = spec.duration() == null ? CaptureSpec.MAX_DURATION : spec.duration();
        this.deadlineNanos = System.nanoTime() + d.toNanos();
        Instant now = Instant.now();
        this.epochOffsetNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
        this.thread = new Thread(this::drain, "tapswitch-capture-" + spec.target());
        this.thread.setDaemon(true);
    }

    /**
     * A capture that takes frames into its ring but writes nothing yet. The switch puts it on the
     * frame path first and only then calls {@link #begin()}, so that a client who has read the pcap
     * file header knows every frame from then on is captured: a header sent before the capture is
     * on the path would let the first frames after it slip by unseen.
     */
    public static Capture prepare(CaptureSpec spec, OutputStream out, Consumer<Capture> onEnd) {
        return new Capture(spec, out, onEnd);
    }

    /**
     * Writes the pcap file header and starts the writer thread. Frames offered between
     * {@link #prepare} and this wait in the ring and are written after the header.
     *
     * @throws IOException when the output refuses the header; the capture then never runs
     */
    public void begin() throws IOException {
        writer.writeHeader(spec.snaplen());
        writer.flush();
        thread.start();
    }

    public CaptureSpec spec() {
        return spec;
    }

    /** Frames written to the output so far. */
    public long frames() {
        return written.get();
    }

    /** Frames dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Whether the capture reached a limit or was closed; it takes no more frames. */
    public boolean isEnding() {
        return stopping;
    }

    public boolean isDone() {
        return finished.getCount() == 0;
    }

    /** The output error that ended the capture, if one did. */
    public IOException failure() {
        return failure;
    }

    /**
     * Offers the frame as it stands in {@code frame} (called on forwarding threads). Never blocks
     * for the writer; returns quickly when the capture has reached its limits.
     *
     * <p>A frame that still carries an offload request is recorded as a wire would carry it: a GSO
     * super-frame as its segments, a partial-checksum frame with its checksum complete
     * ({@link Segmenter}), so that a pcap never shows 64 KB "frames" or checksums a reader would
     * call bad. One it cannot segment is recorded as it stands.
     */
    public void offer(Frame frame) {
        if (stopping) {
            return;
        }
        ByteBuffer buf = frame.buffer();
        if (VnetHeader.hasOffload(buf, frame.start())) {
            offerWireFrames(frame);
            return;
        }
        record(buf, frame.frame(), frame.length(), System.nanoTime());
    }

    /** The segments (or completed frame) of an offloaded frame, built in the capture's own scratch under its lock. */
    private void offerWireFrames(Frame frame) {
        long stamp = System.nanoTime();
        lock.lock();
        try {
            ByteBuffer buf = frame.buffer();
            int count = segmenter.prepare(buf, frame.start(), frame.frame(), frame.length(), false);
            if (count < 0) {
                record(buf, frame.frame(), frame.length(), stamp);
                return;
            }
            if (wire == null) {
                wire = ByteBuffer.allocate(Frame.MAX_FRAME_LEN);
            }
            for (int i = 0; i < count && !stopping; i++) {
                int length = segmenter.write(i, wire, 0);
                record(wire, 0, length, stamp);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Puts one record of {@code length} bytes at {@code buf[from]} in the ring, or counts it dropped. */
    private void record(ByteBuffer buf, int from, int length, long stamp) {
        long n = accepted.incrementAndGet();
        if ((spec.maxFrames() > 0 && n > spec.maxFrames()) || System.nanoTime() > deadlineNanos) {
            stopping = true;
            signal();
            return;
        }
        int captured = Math.min(length, spec.snaplen());
        if (spec.maxBytes() > 0 && acceptedBytes.addAndGet(captured) > spec.maxBytes()) {
            stopping = true;
            signal();
            return;
        }
        int need = RECORD_META + captured;
        lock.lock();
        try {
            if (ring.length - used < need) {
                dropped.incrementAndGet();
                return;
            }
            putInt(captured);
            putInt(length);
            putLong(stamp);
            for (int i = 0; i < captured; i++) {
                ring[tail] = buf.get(from + i);
                tail = tail + 1 == ring.length ? 0 : tail + 1;
            }
            used += need;
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    private void putInt(int v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            ring[tail] = (byte) (v >>> shift);
            tail = tail + 1 == ring.length ? 0 : tail + 1;
        }
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private int takeInt() {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (ring[head] & 0xff);
            head = head + 1 == ring.length ? 0 : head + 1;
        }
        return v;
    }

    private void signal() {
        lock.lock();
        try {
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    private void drain() {
        byte[] record = new byte[65536];
        try {
            while (true) {
                int captured;
                int length;
                long stamp;
                lock.lock();
                try {
                    while (used == 0 && !stopping) {
                        long left = deadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            stopping = true;
                            break;
                        }
                        ready.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                    }
                    if (used == 0) {
                        break;
                    }
                    captured = takeInt();
                    length = takeInt();
                    stamp = ((long) takeInt() << 32) | (takeInt() & 0xffffffffL);
                    for (int i = 0; i < captured; i++) {
                        record[i] = ring[head];
                        head = head + 1 == ring.length ? 0 : head + 1;
                    }
                    used -= RECORD_META + captured;
                } finally {
                    lock.unlock();
                }
                writer.writeRecord(epochOffsetNanos + stamp, record, 0, captured, length);
                long total = written.incrementAndGet();
                if (spec.maxFrames() > 0 && total >= spec.maxFrames()) {
                    break;
                }
                if (used == 0) {
                    writer.flush();
                }
            }
            writer.flush();
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopping = true;
            // Detached first, so that whoever sees the capture finished no longer finds it attached.
            try {
                onEnd.accept(this);
            } finally {
                finished.countDown();
            }
        }
    }

    /** Waits for the capture to end by itself (limits reached); true if it did. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /** Ends the capture: what is queued is written, then the writer stops. Does not close the output. */
    @Override
    public void close() {
        stopping = true;
        signal();
        try {
            finished.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    OutputStream output() {
        return out;
    }
}
