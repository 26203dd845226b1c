package io.tapswitch.core.fdb;

import java.util.List;

/**
 * What the control plane may read of the MAC table, and nothing it could change.
 *
 * <p>The agent's API shows entries, counters and per-port occupancy, but every change to the table
 * (static entries, flushes, the aging time) must go through the agent's control plane, which
 * validates it, persists it and numbers it with a revision. Handing readers this view instead of
 * the {@link MacTable} makes that rule a matter of types rather than of discipline.
 */
public interface FdbView {
    /** The port a station was last seen on in a VLAN, or -1 when unknown. Lock-free. */
    int lookup(int vlan, long mac);

    /** Idle time after which a learned entry is forgotten. */
    long agingMillis();

    /** The most entries the table holds. */
    int capacity();

    /** Entries held now. */
    int size();

    /** How many entries a port holds, read without the lock (may lag by a moment). */
    int entriesOf(int port);

    /** How many entries a port holds, read under the table's lock. */
    int countForPort(int port);

    /** A consistent snapshot of all entries, for listings. */
    List<FdbEntry> entries();

    /** Learned, moved, expired and evicted counts, with the size and bound. */
    FdbCounters counters();
}
