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
 */
public record SwitchOptions(String name, int macTableSize, long agingMillis, Clock clock) {
    public static final String DEFAULT_NAME = "tapswitch";

    public static SwitchOptions defaults() {
        return new SwitchOptions(DEFAULT_NAME, MacTable.DEFAULT_MAX_ENTRIES, MacTable.DEFAULT_AGING_MILLIS, Clock.SYSTEM);
    }

    public SwitchOptions withName(String newName) {
        return new SwitchOptions(newName, macTableSize, agingMillis, clock);
    }

    public SwitchOptions withMacTableSize(int size) {
        return new SwitchOptions(name, size, agingMillis, clock);
    }

    public SwitchOptions withAgingMillis(long millis) {
        return new SwitchOptions(name, macTableSize, millis, clock);
    }

    public SwitchOptions withClock(Clock newClock) {
        return new SwitchOptions(name, macTableSize, agingMillis, newClock);
    }
}
