package io.tapswitch.core.fdb;

/**
 * A {@link Clock} that reads a field instead of the system clock. Every frame from a known station
 * refreshes its entry's last-seen time; reading the monotonic clock for it cost about 29 ns of the
 * 42 ns a refresh took here (JMH), which is most of the MAC table's share of the frame path. Aging
 * works in seconds, so a time that is at most one tick old is as good. The switch's housekeeping
 * thread calls {@link #tick()}.
 */
public final class CoarseClock implements Clock {
    /** How often the owner should call {@link #tick()}, in milliseconds. */
    public static final long TICK_MILLIS = 10;

    private volatile long now = Clock.SYSTEM.millis();

    /** Reads the system clock into the field. */
    public void tick() {
        now = Clock.SYSTEM.millis();
    }

    @Override
    public long millis() {
        return now;
    }
}
