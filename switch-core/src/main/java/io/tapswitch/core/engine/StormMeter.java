package io.tapswitch.core.engine;

/**
 * Token buckets enforcing a port's {@link StormControl}, one per traffic class.
 *
 * <p>Only the port's own reading thread touches its meter, so the buckets are plain fields. Each
 * bucket holds up to one second of tokens, so a short burst passes and a sustained storm is cut to
 * the configured rate.
 */
final class StormMeter {
    static final int BROADCAST = 0;
    static final int MULTICAST = 1;
    static final int UNKNOWN_UNICAST = 2;

    private final double[] tokens = new double[3];
    private final long[] last = new long[3];

    /** Takes a token for a frame of {@code kind} at rate {@code pps}; false when the bucket is empty. */
    boolean admit(int kind, int pps, long nowNanos) {
        if (pps <= 0) {
            return true;
        }
        double t = tokens[kind] + (nowNanos - last[kind]) * (pps / 1e9);
        last[kind] = nowNanos;
        if (t > pps) {
            t = pps;
        }
        if (t < 1) {
            tokens[kind] = t;
            return false;
        }
        tokens[kind] = t - 1;
        return true;
    }
}
