package io.tapswitch.core.impair;

/**
 * How one direction of a link misbehaves on purpose, netem style: frames are lost, delayed (with
 * jitter), shaped to a rate, duplicated or sent ahead of their turn. Immutable; a change of settings
 * is a new value published with the port's configuration.
 *
 * <p>Percentages are shares of frames, each drawn independently. A reordered frame skips the delay
 * and the rate and leaves at once, so that it overtakes the frames still delayed (it needs a delay to
 * overtake anything). Jitter is uniform in {@code [-jitterMs, +jitterMs]} around the delay, but frames
 * leave in the order they came (a frame is never due before the one queued ahead of it), which keeps
 * TCP measurements meaningful and the queue a plain ring.
 *
 * @param delayMs          added one-way delay, 0..10000 ms (fractions allowed)
 * @param jitterMs         delay variation, 0..delayMs ms
 * @param lossPercent      share of frames dropped, 0..100
 * @param duplicatePercent share of frames sent twice, 0..100
 * @param reorderPercent   share of frames that skip the delay, 0..100
 * @param rateKbit         rate limit in kbit/s (1000 bits), 8..100000000; 0 means unlimited
 */
public record Impairment(double delayMs, double jitterMs, double lossPercent, double duplicatePercent,
                         double reorderPercent, long rateKbit) {
    public static final double MAX_DELAY_MS = 10_000;
    public static final long MIN_RATE_KBIT = 8;
    public static final long MAX_RATE_KBIT = 100_000_000;

    public Impairment {
        check(delayMs >= 0 && delayMs <= MAX_DELAY_MS, "delayMs", delayMs);
        check(jitterMs >= 0 && jitterMs <= delayMs, "jitterMs", jitterMs);
        check(lossPercent >= 0 && lossPercent <= 100, "lossPercent", lossPercent);
        check(duplicatePercent >= 0 && duplicatePercent <= 100, "duplicatePercent", duplicatePercent);
        check(reorderPercent >= 0 && reorderPercent <= 100, "reorderPercent", reorderPercent);
        check(rateKbit == 0 || (rateKbit >= MIN_RATE_KBIT && rateKbit <= MAX_RATE_KBIT), "rateKbit", rateKbit);
    }

    private static void check(boolean ok, String field, double value) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": " + value + " is out of range");
        }
    }

    /** Whether any setting differs from a perfect link. */
    public boolean active() {
        return delayMs > 0 || lossPercent > 0 || duplicatePercent > 0 || reorderPercent > 0 || rateKbit > 0;
    }

    /**
     * Whether frames must wait in a {@link DelayLine}: a delay or a rate holds them back, and a
     * duplicate is queued behind its original. Loss alone needs no queue.
     */
    public boolean queues() {
        return delayMs > 0 || rateKbit > 0 || duplicatePercent > 0;
    }

    long delayNanos() {
        return (long) (delayMs * 1_000_000);
    }

    long jitterNanos() {
        return (long) (jitterMs * 1_000_000);
    }

    /** Nanoseconds {@code bytes} take at the rate; 0 when unlimited. */
    long transmitNanos(int bytes) {
        return rateKbit == 0 ? 0 : bytes * 8_000_000L / rateKbit;
    }
}
