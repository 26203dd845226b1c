package io.tapswitch.core.impair;

/**
 * A small pseudo-random generator (xorshift64*) for the frame path: no allocation, no
 * synchronization, one per event loop. Seeded, so that tests see the same draws every run.
 */
public final class Xorshift {
    private long state;

    public Xorshift(long seed) {
        // A zero state would stay zero for ever; mix the seed so that small seeds differ at once.
        long s = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        this.state = s == 0 ? 0x2545F4914F6CDD1DL : s;
    }

    public long nextLong() {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return x * 0x2545F4914F6CDD1DL;
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** True with probability {@code percent}/100; draws nothing when the percentage is 0. */
    public boolean chance(double percent) {
        return percent > 0 && nextDouble() * 100 < percent;
    }
}
