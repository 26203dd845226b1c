package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.Clock;
import io.tapswitch.core.fdb.MacTable;

/**
 * Switch-wide settings, immutable.
 *
 * @param name          switch name, for logs and the control plane
 * @param macTableSize  bound of the forwarding database (default {@value MacTable#DEFAULT_MAX_ENTRIES})
 * @param agingMillis   idle time after which a learned MAC is forgotten (default 300 s)
 * @param clock         time source of the MAC table (injected by tests)
 * @param threads       event-loop threads that read the ports and forward (default
 *                      {@value #DEFAULT_THREADS}; 1 up to the number of processors), however many ports
 *                      there are ({@link EventLoop})
 * @param spinMicros    how long a loop that found nothing keeps looking before it blocks in
 *                      {@code epoll_wait} (default {@value #DEFAULT_SPIN_MICROS}: block at once;
 *                      at most {@value #MAX_SPIN_MICROS})
 */
public record SwitchOptions(String name, int macTableSize, long agingMillis, Clock clock, int threads, int spinMicros) {
    public static final String DEFAULT_NAME = "tapswitch";
    public static final int DEFAULT_THREADS = 1;
    public static final int DEFAULT_SPIN_MICROS = 0;
    public static final int MAX_SPIN_MICROS = 1000;

    public SwitchOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        if (spinMicros < 0 || spinMicros > MAX_SPIN_MICROS) {
            throw new IllegalArgumentException("spinMicros must be 0.." + MAX_SPIN_MICROS + ", was " + spinMicros);
        }
    }

    public static SwitchOptions defaults() {
        return new SwitchOptions(DEFAULT_NAME, MacTable.DEFAULT_MAX_ENTRIES, MacTable.DEFAULT_AGING_MILLIS, Clock.SYSTEM,
                DEFAULT_THREADS, DEFAULT_SPIN_MICROS);
    }

    public SwitchOptions withName(String newName) {
        return new SwitchOptions(newName, macTableSize, agingMillis, clock, threads, spinMicros);
    }

    public SwitchOptions withMacTableSize(int size) {
        return new SwitchOptions(name, size, agingMillis, clock, threads, spinMicros);
    }

    public SwitchOptions withAgingMillis(long millis) {
        return new SwitchOptions(name, macTableSize, millis, clock, threads, spinMicros);
    }

    public SwitchOptions withClock(Clock newClock) {
        return new SwitchOptions(name, macTableSize, agingMillis, newClock, threads, spinMicros);
    }

    /** With {@code count} event-loop threads. */
    public SwitchOptions withThreads(int count) {
        return new SwitchOptions(name, macTableSize, agingMillis, clock, count, spinMicros);
    }

    /** With loops that keep looking for {@code micros} before they block. */
    public SwitchOptions withSpinMicros(int micros) {
        return new SwitchOptions(name, macTableSize, agingMillis, clock, threads, micros);
    }
}
