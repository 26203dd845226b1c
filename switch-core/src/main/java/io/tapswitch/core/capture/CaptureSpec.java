package io.tapswitch.core.capture;

import java.time.Duration;

/**
 * What to capture and when to stop.
 *
 * @param target     a port name or a mirror name
 * @param maxFrames  stop after this many frames (0 = no limit)
 * @param maxBytes   stop after this many captured bytes (0 = no limit)
 * @param duration   stop after this long (null = no limit)
 * @param snaplen    bytes kept of each frame (1–65535)
 * @param nanos      nanosecond timestamps (else microseconds)
 * @param queueBytes bound of the queue between the datapath and the writer; frames that do not fit
 *                   are dropped and counted, never waited for
 */
public record CaptureSpec(String target, long maxFrames, long maxBytes, Duration duration, int snaplen, boolean nanos,
                          int queueBytes) {
    public static final int DEFAULT_SNAPLEN = 65535;
    public static final int DEFAULT_QUEUE_BYTES = 8 << 20;
    /** Safety bound when a caller asks for no limit at all: a capture always ends. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);

    public CaptureSpec {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("target: a port or mirror name is required");
        }
        if (maxFrames < 0) {
            throw new IllegalArgumentException("count: must not be negative");
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("bytes: must not be negative");
        }
        if (duration != null && (duration.isNegative() || duration.compareTo(MAX_DURATION) > 0)) {
            throw new IllegalArgumentException("duration: must be between 0 and 24 h");
        }
        if (snaplen < 1 || snaplen > 65535) {
            throw new IllegalArgumentException("snaplen: must be 1 to 65535, was " + snaplen);
        }
        if (queueBytes < 65536 + 64 || queueBytes > (256 << 20)) {
            throw new IllegalArgumentException("queueBytes: must be 64 KiB to 256 MiB");
        }
    }

    public static CaptureSpec of(String target, long maxFrames) {
        return new CaptureSpec(target, maxFrames, 0, null, DEFAULT_SNAPLEN, false, DEFAULT_QUEUE_BYTES);
    }

    public CaptureSpec withDuration(Duration d) {
        return new CaptureSpec(target, maxFrames, maxBytes, d, snaplen, nanos, queueBytes);
    }

    public CaptureSpec withNanos(boolean n) {
        return new CaptureSpec(target, maxFrames, maxBytes, duration, snaplen, n, queueBytes);
    }

    public CaptureSpec withSnaplen(int s) {
        return new CaptureSpec(target, maxFrames, maxBytes, duration, s, nanos, queueBytes);
    }

    public CaptureSpec withMaxBytes(long b) {
        return new CaptureSpec(target, maxFrames, b, duration, snaplen, nanos, queueBytes);
    }

    public CaptureSpec withQueueBytes(int q) {
        return new CaptureSpec(target, maxFrames, maxBytes, duration, snaplen, nanos, q);
    }
}
