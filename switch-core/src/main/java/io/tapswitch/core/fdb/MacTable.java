package io.tapswitch.core.fdb;

import io.tapswitch.core.frame.MacAddress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The switch's forwarding database: which port a (VLAN, MAC) pair was last seen on.
 *
 * <p><b>Keying.</b> Entries are keyed on the pair, not on the MAC alone, so that one station may
 * live on different ports in different VLANs (a router's single MAC on several access ports, say).
 * VLAN 0 stands for "no VLAN" on ports that do not classify.
 *
 * <p><b>Aging.</b> An entry not refreshed by traffic for the aging time (300 s by default, as in
 * the Linux bridge and Open vSwitch) is removed by {@link #expire()}, which the switch calls about
 * once a second. A station that moves, or goes silent and comes back elsewhere, is thus found again
 * by flooding.
 *
 * <p><b>Bound and fairness.</b> The table is bounded (8192 entries by default) so that memory is
 * fixed whatever the traffic. When it is full, a new station evicts an old entry of the port that
 * holds the most entries: a guest spraying random source MACs then only evicts its own entries and
 * never the stations of other ports. Within that port the victim is the least recently seen among
 * the oldest few learned, an approximation of LRU that costs a bounded amount of work.
 *
 * <p><b>Moves.</b> A known MAC seen on a new port moves there at once (a VM migrated, a cable
 * re-plugged); static entries never move or age.
 *
 * <p><b>Concurrency.</b> Lookups and refreshes of known entries, the common case on the frame path,
 * take no lock and allocate nothing: they probe an open-addressing index with acquire reads and
 * refresh a timestamp with a plain write. Inserts, moves and removals are rare and take a lock. A
 * lookup racing a removal may miss an entry for an instant; the frame is then flooded, which is the
 * switch's normal answer to not knowing.
 */
public final class MacTable implements FdbView {
    public static final int DEFAULT_MAX_ENTRIES = 8192;
    public static final long DEFAULT_AGING_MILLIS = 300_000L;
    public static final long MIN_AGING_MILLIS = 1_000L;
    public static final long MAX_AGING_MILLIS = 86_400_000L;
    /** Largest port id plus one that the table can account for. */
    public static final int MAX_PORTS = 1024;
    /** How many of a port's oldest-learned entries are compared when choosing an eviction victim. */
    private static final int EVICTION_SCAN = 16;

    private static final VarHandle INDEX = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long FREE = -1L;

    private final int maxEntries;
    private final Clock clock;
    private volatile long agingMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final FdbListener listener;

    /** Open-addressing index: slot to entry id + 1 (0 = empty). Twice the entries, a power of two. */
    private final int[] index;
    private final int mask;
    private final long[] keys;
    private final int[] ports;
    private final long[] lastSeen;
    private final boolean[] statics;
    /** Per-port doubly-linked lists of entry ids, in learning order, for fair eviction. */
    private final int[] prev;
    private final int[] next;
    private final int[] portHead = new int[MAX_PORTS];
    private final int[] portTail = new int[MAX_PORTS];
    private final int[] portCount = new int[MAX_PORTS];
    private int freeHead;
    private volatile int size;

    private volatile long learned;
    private volatile long moved;
    private volatile long expired;
    private volatile long evicted;

    public MacTable(int maxEntries, long agingMillis, Clock clock, FdbListener listener) {
        if (maxEntries < 1 || maxEntries > (1 << 24)) {
            throw new IllegalArgumentException("maxEntries must be between 1 and 16777216, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.clock = clock;
        this.listener = listener == null ? FdbListener.NONE : listener;
        setAgingMillis(agingMillis);
        int slots = Integer.highestOneBit(maxEntries * 2 - 1) << 1;
        this.index = new int[Math.max(slots, 2)];
        this.mask = index.length - 1;
        this.keys = new long[maxEntries];
        this.ports = new int[maxEntries];
        this.lastSeen = new long[maxEntries];
        this.statics = new boolean[maxEntries];
        this.prev = new int[maxEntries];
        this.next = new int[maxEntries];
        java.util.Arrays.fill(keys, FREE);
        java.util.Arrays.fill(portHead, -1);
        java.util.Arrays.fill(portTail, -1);
        for (int i = 0; i < maxEntries; i++) {
            next[i] = i + 1 < maxEntries ? i + 1 : -1;
        }
        freeHead = 0;
    }

    public MacTable() {
        this(DEFAULT_MAX_ENTRIES, DEFAULT_AGING_MILLIS, Clock.SYSTEM, FdbListener.NONE);
    }

    public void setAgingMillis(long millis) {
        if (millis < MIN_AGING_MILLIS || millis > MAX_AGING_MILLIS) {
            throw new IllegalArgumentException("aging time must be between " + MIN_AGING_MILLIS / 1000 + " s and "
                    + MAX_AGING_MILLIS / 1000 + " s, was " + millis + " ms");
        }
        this.agingMillis = millis;
    }

    @Override
    public long agingMillis() {
        return agingMillis;
    }

    @Override
    public int capacity() {
        return maxEntries;
    }

    @Override
    public int size() {
        return size;
    }

    static long key(int vlan, long mac) {
        return ((long) vlan << 48) | (mac & MacAddress.MASK);
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    /** Entry id for {@code key}, or -1; safe without the lock. */
    private int find(long key) {
        int slot = hash(key) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            int id = (int) INDEX.getAcquire(index, slot) - 1;
            if (id < 0) {
                return -1;
            }
            if ((long) KEYS.getAcquire(keys, id) == key) {
                return id;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** The port a station was last seen on in a VLAN, or -1 when unknown. Lock-free. */
    @Override
    public int lookup(int vlan, long mac) {
        long key = key(vlan, mac);
        int id = find(key);
        if (id < 0) {
            return -1;
        }
        int port = ports[id];
        return (long) KEYS.getAcquire(keys, id) == key ? port : -1;
    }

    /**
     * Records that {@code mac} was seen on {@code port} in {@code vlan}. The caller has already
     * refused unlearnable sources. Refreshing a known station takes no lock.
     */
    public void learn(int vlan, long mac, int port) {
        long key = key(vlan, mac);
        int id = find(key);
        if (id >= 0 && ports[id] == port) {
            lastSeen[id] = clock.millis();
            return;
        }
        learnLocked(key, port);
    }

    private void learnLocked(long key, int port) {
        lock.lock();
        try {
            long now = clock.millis();
            int id = find(key);
            if (id >= 0) {
                if (ports[id] != port && !statics[id]) {
                    int from = ports[id];
                    unlink(id, from);
                    ports[id] = port;
                    link(id, port);
                    moved++;
                    listener.fdbChanged(FdbEvent.MOVED, vlan(key), mac(key), port, from);
                }
                lastSeen[id] = now;
                return;
            }
            if (freeHead < 0) {
                evictOne();
            }
            insert(key, port, now, false);
            learned++;
            listener.fdbChanged(FdbEvent.LEARNED, vlan(key), mac(key), port, -1);
        } finally {
            lock.unlock();
        }
    }

    private void insert(long key, int port, long now, boolean isStatic) {
        int id = freeHead;
        freeHead = next[id];
        ports[id] = port;
        lastSeen[id] = now;
        statics[id] = isStatic;
        link(id, port);
        KEYS.setRelease(keys, id, key);
        int slot = hash(key) & mask;
        while ((int) INDEX.getAcquire(index, slot) != 0) {
            slot = (slot + 1) & mask;
        }
        INDEX.setRelease(index, slot, id + 1);
        size++;
    }

    /** Evicts from the port holding the most entries; only when the table is full. */
    private void evictOne() {
        int fattest = -1;
        int most = 0;
        for (int p = 0; p < MAX_PORTS; p++) {
            if (portCount[p] > most) {
                most = portCount[p];
                fattest = p;
            }
        }
        int victim = -1;
        long oldest = Long.MAX_VALUE;
        int id = portHead[fattest];
        for (int i = 0; i < EVICTION_SCAN && id >= 0; i++, id = next[id]) {
            if (!statics[id] && lastSeen[id] < oldest) {
                oldest = lastSeen[id];
                victim = id;
            }
        }
        if (victim < 0) {
            victim = anyDynamicEntry();
        }
        long key = keys[victim];
        int port = ports[victim];
        remove(victim);
        evicted++;
        listener.fdbChanged(FdbEvent.EVICTED, vlan(key), mac(key), port, -1);
    }

    private int anyDynamicEntry() {
        for (int id = 0; id < maxEntries; id++) {
            if (keys[id] != FREE && !statics[id]) {
                return id;
            }
        }
        throw new IllegalStateException("forwarding table is full of static entries");
    }

    private void link(int id, int port) {
        prev[id] = portTail[port];
        next[id] = -1;
        if (portTail[port] >= 0) {
            next[portTail[port]] = id;
        } else {
            portHead[port] = id;
        }
        portTail[port] = id;
        portCount[port]++;
    }

    private void unlink(int id, int port) {
        if (prev[id] >= 0) {
            next[prev[id]] = next[id];
        } else {
            portHead[port] = next[id];
        }
        if (next[id] >= 0) {
            prev[next[id]] = prev[id];
        } else {
            portTail[port] = prev[id];
        }
        portCount[port]--;
    }

    /** Removes entry {@code id} from the index (backward-shift deletion) and frees it. Lock held. */
    private void remove(int id) {
        long key = keys[id];
        int slot = hash(key) & mask;
        while ((int) INDEX.getAcquire(index, slot) != id + 1) {
            slot = (slot + 1) & mask;
        }
        int hole = slot;
        int scan = (slot + 1) & mask;
        while (true) {
            int other = (int) INDEX.getAcquire(index, scan);
            if (other == 0) {
                break;
            }
            int home = hash(keys[other - 1]) & mask;
            boolean movable = hole <= scan ? (home <= hole || home > scan) : (home <= hole && home > scan);
            if (movable) {
                INDEX.setRelease(index, hole, other);
                hole = scan;
            }
            scan = (scan + 1) & mask;
        }
        INDEX.setRelease(index, hole, 0);
        unlink(id, ports[id]);
        KEYS.setRelease(keys, id, FREE);
        statics[id] = false;
        next[id] = freeHead;
        freeHead = id;
        size--;
    }

    /** Removes entries idle for longer than the aging time; returns how many. */
    public int expire() {
        lock.lock();
        try {
            long now = clock.millis();
            long limit = agingMillis;
            int n = 0;
            for (int id = 0; id < maxEntries; id++) {
                long key = keys[id];
                if (key != FREE && !statics[id] && now - lastSeen[id] > limit) {
                    int port = ports[id];
                    remove(id);
                    expired++;
                    n++;
                    listener.fdbChanged(FdbEvent.EXPIRED, vlan(key), mac(key), port, -1);
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Removes the dynamic entries of one port (port removed, reconfigured or down); -1 = all ports. */
    public int flushPort(int port) {
        return flush(port, -1, false);
    }

    /** Removes the dynamic entries of one VLAN. */
    public int flushVlan(int vlan) {
        return flush(-1, vlan, false);
    }

    /**
     * Removes the entries matching {@code port} and {@code vlan} (-1 = any); static ones too when
     * {@code includeStatic}.
     */
    public int flush(int port, int vlan, boolean includeStatic) {
        lock.lock();
        try {
            int n = 0;
            for (int id = 0; id < maxEntries; id++) {
                long key = keys[id];
                if (key == FREE || (statics[id] && !includeStatic)) {
                    continue;
                }
                if ((port < 0 || ports[id] == port) && (vlan < 0 || vlan(key) == vlan)) {
                    int p = ports[id];
                    remove(id);
                    n++;
                    listener.fdbChanged(FdbEvent.FLUSHED, vlan(key), mac(key), p, -1);
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Adds or replaces a static entry: never aged, never moved by traffic. */
    public void addStatic(int vlan, long mac, int port) {
        long key = key(vlan, mac);
        lock.lock();
        try {
            int id = find(key);
            if (id >= 0) {
                remove(id);
            }
            if (freeHead < 0) {
                evictOne();
            }
            insert(key, port, clock.millis(), true);
            listener.fdbChanged(FdbEvent.STATIC_ADDED, vlan, mac, port, -1);
        } finally {
            lock.unlock();
        }
    }

    /** Removes a static entry; returns false when there was none. */
    public boolean removeStatic(int vlan, long mac) {
        long key = key(vlan, mac);
        lock.lock();
        try {
            int id = find(key);
            if (id < 0 || !statics[id]) {
                return false;
            }
            int port = ports[id];
            remove(id);
            listener.fdbChanged(FdbEvent.STATIC_REMOVED, vlan, mac, port, -1);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** How many entries a port holds, read without the lock (the frame path's port-security check). */
    @Override
    public int entriesOf(int port) {
        return port >= 0 && port < MAX_PORTS ? portCount[port] : 0;
    }

    /** How many entries a port holds. */
    @Override
    public int countForPort(int port) {
        lock.lock();
        try {
            return portCount[port];
        } finally {
            lock.unlock();
        }
    }

    /** A consistent snapshot of all entries, for listings. */
    @Override
    public List<FdbEntry> entries() {
        lock.lock();
        try {
            long now = clock.millis();
            List<FdbEntry> out = new ArrayList<>(size);
            for (int id = 0; id < maxEntries; id++) {
                long key = keys[id];
                if (key != FREE) {
                    out.add(new FdbEntry(vlan(key), mac(key), ports[id], Math.max(0, now - lastSeen[id]), statics[id]));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FdbCounters counters() {
        return new FdbCounters(learned, moved, expired, evicted, size, maxEntries);
    }

    private static int vlan(long key) {
        return (int) (key >>> 48);
    }

    private static long mac(long key) {
        return key & MacAddress.MASK;
    }
}
