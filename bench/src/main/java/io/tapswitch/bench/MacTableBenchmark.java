package io.tapswitch.bench;

import io.tapswitch.core.fdb.Clock;
import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.fdb.MacTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The MAC table's frame-path operations on a nearly full default-sized table (8000 of 8192
 * entries, eight ports): looking up a known station, looking up an unknown one (the flood case,
 * which probes until an empty slot), and learning a known station on its own port, which is a
 * timestamp refresh and must take no lock. Each call moves to the next station so that the figure
 * includes the cache misses a real table of this size has.
 *
 * <p>{@link #clockMillis} is the floor under {@link #learnKnown}: a refresh reads the table's clock
 * once, so what it costs beyond a lookup is mostly that read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MacTableBenchmark {
    private static final int STATIONS = 8000;
    private static final int PORTS = 8;

    private MacTable table;
    private long[] known;
    private long[] unknown;
    private int next;

    @Setup(Level.Trial)
    public void fill() {
        table = new MacTable(MacTable.DEFAULT_MAX_ENTRIES, MacTable.MAX_AGING_MILLIS, Clock.SYSTEM, FdbListener.NONE);
        known = new long[STATIONS];
        unknown = new long[STATIONS];
        for (int s = 0; s < STATIONS; s++) {
            known[s] = TestFrames.station(s);
            unknown[s] = TestFrames.station(STATIONS + s);
            table.learn(0, known[s], s % PORTS);
        }
        if (table.size() != STATIONS || table.lookup(0, unknown[0]) != -1) {
            throw new IllegalStateException("setup: table holds " + table.size() + " entries");
        }
    }

    private int advance() {
        int s = next;
        next = s + 1 == STATIONS ? 0 : s + 1;
        return s;
    }

    @Benchmark
    public int lookupKnown() {
        return table.lookup(0, known[advance()]);
    }

    @Benchmark
    public int lookupUnknown() {
        return table.lookup(0, unknown[advance()]);
    }

    /** The table's time source alone ({@code System.nanoTime} scaled to milliseconds). */
    @Benchmark
    public long clockMillis() {
        return Clock.SYSTEM.millis();
    }

    /** Learning a station already on that port: the refresh every forwarded frame's source causes. */
    @Benchmark
    public void learnKnown() {
        int s = advance();
        table.learn(0, known[s], s % PORTS);
    }
}
