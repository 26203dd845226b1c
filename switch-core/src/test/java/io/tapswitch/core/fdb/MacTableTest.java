package io.tapswitch.core.fdb;

import io.tapswitch.core.frame.MacAddress;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/*
 * Mutants PIT reports that no test can kill, because they change no behaviour:
 * - hash(): any change to the mixing (even a constant) keeps lookups correct, only slower.
 * - the index size (maxEntries * 2 - 1 +/-) and find()'s probe bound: the index always has empty slots,
 *   so a larger index or one probe fewer changes nothing, and find()'s final "return -1" is unreachable.
 * - Arrays.fill(portHead, -1): link() sets a port's head before anything reads it.
 * - learn()'s "id >= 0" as "id > 0": entry 0 is then refreshed under the lock instead of without it.
 * - evictOne()'s "victim < 0" as "victim <= 0": anyDynamicEntry() then returns entry 0 again.
 * - remove()'s "hole <= scan" as "hole < scan": the scan never stands on the hole.
 * - evictOne()'s "portCount[p] > most" as ">=": only which of two equally full ports loses an entry.
 * - the upper bound of maxEntries (1 << 24) would need a table of about 700 MB to test.
 * - remove()'s search for the entry's slot stepping backwards finds the same slot, the long way round.
 * - removeStatic()'s returns "replaced with false/true" where they already return false/true (PIT
 *   cannot see the constant through the value kept across the finally block).
 */
class MacTableTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<String> events = new ArrayList<>();
    private final FdbListener recorder = (kind, vlan, mac, port, previous) ->
            events.add(kind + " " + vlan + " " + MacAddress.format(mac) + " " + port + (previous >= 0 ? " from " + previous : ""));

    private MacTable table(int size, long aging) {
        return new MacTable(size, aging, now::get, recorder);
    }

    private static long mac(int n) {
        return 0x0200_0000_0000L | n;
    }

    @Test
    void learnsAndLooksUpPerVlan() {
        MacTable t = table(16, 300_000);
        t.learn(0, mac(1), 3);
        t.learn(10, mac(1), 4);
        assertThat(t.lookup(0, mac(1))).isEqualTo(3);
        assertThat(t.lookup(10, mac(1))).isEqualTo(4);
        assertThat(t.lookup(20, mac(1))).isEqualTo(-1);
        assertThat(t.lookup(0, mac(2))).isEqualTo(-1);
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.counters().learned()).isEqualTo(2);
        assertThat(events).containsExactly("LEARNED 0 02:00:00:00:00:01 3", "LEARNED 10 02:00:00:00:00:01 4");
    }

    @Test
    void refreshOfAKnownStationIsNotAnEvent() {
        MacTable t = table(16, 300_000);
        t.learn(0, mac(1), 1);
        t.learn(0, mac(1), 1);
        t.learn(0, mac(1), 1);
        assertThat(t.counters().learned()).isEqualTo(1);
        assertThat(events).hasSize(1);
    }

    @Test
    void agesOutIdleEntriesButKeepsRefreshedOnes() {
        MacTable t = table(16, 10_000);
        t.learn(0, mac(1), 1);
        t.learn(0, mac(2), 2);
        now.addAndGet(6_000);
        t.learn(0, mac(2), 2);
        now.addAndGet(5_000);
        assertThat(t.expire()).isEqualTo(1);
        assertThat(t.lookup(0, mac(1))).isEqualTo(-1);
        assertThat(t.lookup(0, mac(2))).isEqualTo(2);
        now.addAndGet(10_001);
        assertThat(t.expire()).isEqualTo(1);
        assertThat(t.size()).isZero();
        assertThat(t.counters().expired()).isEqualTo(2);
        assertThat(events).contains("EXPIRED 0 02:00:00:00:00:01 1", "EXPIRED 0 02:00:00:00:00:02 2");
    }

    @Test
    void agingTimeIsClampedToSaneValues() {
        assertThatThrownBy(() -> table(16, 10)).hasMessageContaining("aging time");
        MacTable t = table(16, 300_000);
        assertThatThrownBy(() -> t.setAgingMillis(0)).isInstanceOf(IllegalArgumentException.class);
        t.setAgingMillis(15_000);
        assertThat(t.agingMillis()).isEqualTo(15_000);
    }

    @Test
    void movesAStationToItsNewPort() {
        MacTable t = table(16, 300_000);
        t.learn(0, mac(1), 1);
        t.learn(0, mac(1), 2);
        assertThat(t.lookup(0, mac(1))).isEqualTo(2);
        assertThat(t.counters().moved()).isEqualTo(1);
        assertThat(t.countForPort(1)).isZero();
        assertThat(t.countForPort(2)).isEqualTo(1);
        assertThat(events).containsExactly("LEARNED 0 02:00:00:00:00:01 1", "MOVED 0 02:00:00:00:00:01 2 from 1");
    }

    @Test
    void staysWithinItsBoundAndEvictsFromThePortHoldingMost() {
        MacTable t = table(64, 300_000);
        for (int i = 0; i < 4; i++) {
            t.learn(0, mac(i), 1);
            t.learn(0, mac(100 + i), 2);
        }
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            now.incrementAndGet();
            t.learn(0, 0x0600_0000_0000L | (random.nextLong() & 0xffff_ffffL), 3);
            assertThat(t.size()).isLessThanOrEqualTo(64);
        }
        for (int i = 0; i < 4; i++) {
            assertThat(t.lookup(0, mac(i))).isEqualTo(1);
            assertThat(t.lookup(0, mac(100 + i))).isEqualTo(2);
        }
        assertThat(t.size()).isEqualTo(64);
        assertThat(t.countForPort(3)).isEqualTo(56);
        assertThat(t.counters().evicted()).isGreaterThanOrEqualTo(10_000 - 56);
    }

    @Test
    void evictionPrefersTheLeastRecentlySeenOfThatPort() {
        MacTable t = table(4, 300_000);
        t.learn(0, mac(1), 1);
        now.incrementAndGet();
        t.learn(0, mac(2), 1);
        now.incrementAndGet();
        t.learn(0, mac(3), 1);
        now.incrementAndGet();
        t.learn(0, mac(1), 1);
        t.learn(0, mac(4), 2);
        now.incrementAndGet();
        t.learn(0, mac(5), 2);
        assertThat(t.lookup(0, mac(2))).isEqualTo(-1);
        assertThat(t.lookup(0, mac(1))).isEqualTo(1);
        assertThat(t.lookup(0, mac(3))).isEqualTo(1);
        assertThat(t.lookup(0, mac(5))).isEqualTo(2);
    }

    @Test
    void staticEntriesNeverAgeOrMove() {
        MacTable t = table(16, 10_000);
        t.addStatic(0, mac(9), 5);
        t.learn(0, mac(9), 6);
        now.addAndGet(100_000);
        t.expire();
        assertThat(t.lookup(0, mac(9))).isEqualTo(5);
        assertThat(t.flushPort(5)).isZero();
        assertThat(t.removeStatic(0, mac(9))).isTrue();
        assertThat(t.lookup(0, mac(9))).isEqualTo(-1);
        assertThat(t.removeStatic(0, mac(9))).isFalse();
    }

    @Test
    void flushesByPortAndVlan() {
        MacTable t = table(32, 300_000);
        t.learn(1, mac(1), 1);
        t.learn(1, mac(2), 2);
        t.learn(2, mac(3), 1);
        assertThat(t.flushPort(1)).isEqualTo(2);
        assertThat(t.lookup(1, mac(2))).isEqualTo(2);
        t.learn(2, mac(3), 1);
        assertThat(t.flushVlan(1)).isEqualTo(1);
        assertThat(t.entries()).extracting(FdbEntry::mac).containsExactly(mac(3));
    }

    @Test
    void survivesHeavyChurnWithConsistentIndex() {
        MacTable t = table(256, 1_000);
        Random random = new Random(7);
        long[] macs = new long[2000];
        for (int i = 0; i < macs.length; i++) {
            macs[i] = 0x0200_0000_0000L | random.nextInt(1 << 20);
        }
        for (int round = 0; round < 50_000; round++) {
            long m = macs[random.nextInt(macs.length)];
            int port = random.nextInt(8);
            t.learn(round % 3, m, port);
            assertThat(t.lookup(round % 3, m)).isEqualTo(port);
            if (round % 997 == 0) {
                now.addAndGet(600);
                t.expire();
            }
        }
        for (FdbEntry e : t.entries()) {
            assertThat(t.lookup(e.vlan(), e.mac())).isEqualTo(e.port());
        }
        assertThat(t.entries()).hasSize(t.size());
    }

    @Test
    void aTableOfOneEntryLearnsAndEvicts() {
        MacTable t = table(1, 300_000);
        assertThat(t.capacity()).isEqualTo(1);
        t.learn(0, mac(1), 1);
        t.learn(0, mac(2), 2);
        assertThat(t.lookup(0, mac(1))).isEqualTo(-1);
        assertThat(t.lookup(0, mac(2))).isEqualTo(2);
        assertThatThrownBy(() -> table(0, 300_000)).hasMessageContaining("maxEntries");
    }

    @Test
    void agingTimeAcceptsExactlyItsBounds() {
        MacTable t = table(16, MacTable.MIN_AGING_MILLIS);
        assertThat(t.agingMillis()).isEqualTo(1_000);
        t.setAgingMillis(MacTable.MAX_AGING_MILLIS);
        assertThat(t.agingMillis()).isEqualTo(86_400_000);
        assertThatThrownBy(() -> t.setAgingMillis(MacTable.MIN_AGING_MILLIS - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.setAgingMillis(MacTable.MAX_AGING_MILLIS + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEntryIdleForExactlyTheAgingTimeStays() {
        MacTable t = table(16, 10_000);
        t.learn(0, mac(1), 1);
        now.addAndGet(10_000);
        assertThat(t.expire()).isZero();
        now.incrementAndGet();
        assertThat(t.expire()).isEqualTo(1);
    }

    @Test
    void entriesReportTheirIdleTime() {
        MacTable t = table(16, 300_000);
        t.learn(0, mac(1), 1);
        now.addAndGet(2_500);
        t.learn(0, mac(2), 1);
        now.addAndGet(500);
        assertThat(t.entries()).extracting(FdbEntry::mac, FdbEntry::ageMillis)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(mac(1), 3_000L),
                        org.assertj.core.groups.Tuple.tuple(mac(2), 500L));
    }

    @Test
    void aFullTableReportsWhatItEvicts() {
        MacTable t = table(2, 300_000);
        t.learn(0, mac(1), 1);
        t.learn(0, mac(2), 1);
        t.learn(0, mac(3), 2);
        assertThat(events).containsExactly("LEARNED 0 02:00:00:00:00:01 1", "LEARNED 0 02:00:00:00:00:02 1",
                "EVICTED 0 02:00:00:00:00:01 1", "LEARNED 0 02:00:00:00:00:03 2");
        assertThat(t.counters().evicted()).isEqualTo(1);
    }

    @Test
    void equallyIdleEntriesAreEvictedInTheOrderTheyWereLearned() {
        MacTable t = table(4, 300_000);
        for (int i = 1; i <= 4; i++) {
            t.learn(0, mac(i), 1);
        }
        t.learn(0, mac(5), 2);
        t.learn(0, mac(6), 2);
        assertThat(t.lookup(0, mac(1))).isEqualTo(-1);
        assertThat(t.lookup(0, mac(2))).isEqualTo(-1);
        assertThat(t.lookup(0, mac(3))).isEqualTo(1);
        assertThat(t.lookup(0, mac(4))).isEqualTo(1);
    }

    @Test
    void evictionComparesOnlyTheSixteenOldestLearnedEntriesOfThePort() {
        // Bounded work per eviction: the 17th-learned entry is not a candidate even when it is the
        // least recently seen of the port.
        MacTable t = table(17, 300_000);
        for (int i = 1; i <= 17; i++) {
            t.learn(0, mac(i), 1);
        }
        now.addAndGet(1_000);
        for (int i = 1; i <= 16; i++) {
            now.incrementAndGet();
            t.learn(0, mac(i), 1);
        }
        t.learn(0, mac(99), 2);
        assertThat(t.lookup(0, mac(17))).isEqualTo(1);
        assertThat(t.lookup(0, mac(1))).isEqualTo(-1);
    }

    @Test
    void aStationMovedOutOfTheMiddleOfItsPortLeavesTheRestEvictable() {
        MacTable t = table(4, 300_000);
        t.learn(0, mac(1), 1);
        now.incrementAndGet();
        t.learn(0, mac(2), 1);
        now.incrementAndGet();
        t.learn(0, mac(3), 1);
        t.learn(0, mac(2), 2);
        now.incrementAndGet();
        t.learn(0, mac(4), 1);
        now.incrementAndGet();
        t.learn(0, mac(5), 3);
        assertThat(t.lookup(0, mac(1))).isEqualTo(-1);
        assertThat(t.lookup(0, mac(3))).isEqualTo(1);
        assertThat(t.lookup(0, mac(4))).isEqualTo(1);
        assertThat(t.countForPort(1)).isEqualTo(2);
    }

    @Test
    void whenThePortHoldingMostHasOnlyStaticCandidatesAnotherDynamicEntryGoes() {
        MacTable t = table(20, 300_000);
        for (int i = 1; i <= 17; i++) {
            t.addStatic(0, mac(i), 1);
        }
        t.learn(0, mac(50), 2);
        t.learn(0, mac(51), 2);
        t.learn(0, mac(52), 3);
        t.learn(0, mac(60), 4);
        assertThat(t.lookup(0, mac(60))).isEqualTo(4);
        assertThat(t.size()).isEqualTo(20);
        assertThat(t.countForPort(1)).isEqualTo(17);
        assertThat(t.countForPort(2) + t.countForPort(3)).isEqualTo(2);
    }

    @Test
    void aTableFullOfStaticEntriesRefusesToLearn() {
        MacTable t = table(2, 300_000);
        t.addStatic(0, mac(1), 1);
        t.addStatic(0, mac(2), 1);
        assertThatThrownBy(() -> t.learn(0, mac(3), 2)).isInstanceOf(IllegalStateException.class);
        assertThat(t.lookup(0, mac(1))).isEqualTo(1);
        assertThat(t.lookup(0, mac(2))).isEqualTo(1);
    }

    @Test
    void aStaticEntryReplacesTheOneItHadAndEvictsWhenFull() {
        MacTable t = table(2, 300_000);
        t.addStatic(0, mac(1), 1);
        t.addStatic(0, mac(1), 2);
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.lookup(0, mac(1))).isEqualTo(2);
        assertThat(t.countForPort(1)).isZero();
        t.learn(0, mac(2), 3);
        t.addStatic(0, mac(3), 4);
        assertThat(t.lookup(0, mac(2))).isEqualTo(-1);
        assertThat(t.lookup(0, mac(3))).isEqualTo(4);
        assertThat(t.entries()).hasSize(2).allMatch(FdbEntry::isStatic);
        assertThat(events).containsExactly("STATIC_ADDED 0 02:00:00:00:00:01 1", "STATIC_ADDED 0 02:00:00:00:00:01 2",
                "LEARNED 0 02:00:00:00:00:02 3", "EVICTED 0 02:00:00:00:00:02 3", "STATIC_ADDED 0 02:00:00:00:00:03 4");
    }

    @Test
    void removingAStaticEntryReportsIt() {
        MacTable t = table(16, 300_000);
        t.learn(0, mac(1), 1);
        assertThat(t.removeStatic(0, mac(1))).isFalse();
        assertThat(t.lookup(0, mac(1))).isEqualTo(1);
        t.addStatic(0, mac(2), 2);
        events.clear();
        assertThat(t.removeStatic(0, mac(2))).isTrue();
        assertThat(events).containsExactly("STATIC_REMOVED 0 02:00:00:00:00:02 2");
    }

    @Test
    void flushesPortZeroAndVlanZeroAloneAndReportsEachEntry() {
        MacTable t = table(16, 300_000);
        t.learn(0, mac(1), 0);
        t.learn(0, mac(2), 1);
        t.learn(5, mac(3), 1);
        events.clear();
        assertThat(t.flushPort(0)).isEqualTo(1);
        assertThat(events).containsExactly("FLUSHED 0 02:00:00:00:00:01 0");
        assertThat(t.flushVlan(0)).isEqualTo(1);
        assertThat(t.lookup(5, mac(3))).isEqualTo(1);
        assertThat(t.flush(-1, -1, false)).isEqualTo(1);
        assertThat(t.size()).isZero();
    }

    @Test
    void countsPerPortOnlyForPortsItCanAccountFor() {
        MacTable t = table(16, 300_000);
        t.learn(0, mac(1), MacTable.MAX_PORTS - 1);
        assertThat(t.entriesOf(MacTable.MAX_PORTS - 1)).isEqualTo(1);
        assertThat(t.entriesOf(MacTable.MAX_PORTS)).isZero();
        assertThat(t.entriesOf(-1)).isZero();
    }

    @Test
    void removalsKeepEveryOtherEntryReachable() {
        // Backward-shift deletion in small indexes with many collisions and clusters that wrap
        // around the end, checked against a map.
        for (int size : new int[] {3, 4, 8, 64}) {
            removeAndLookUp(size, 3_000);
        }
    }

    private void removeAndLookUp(int size, int rounds) {
        MacTable t = table(size, 300_000);
        Map<Long, Integer> expected = new HashMap<>();
        Random random = new Random(11 + size);
        for (int round = 0; round < rounds; round++) {
            long m = 0x0200_0000_0000L | random.nextInt(200);
            if (random.nextInt(3) == 0) {
                int port = 1 + random.nextInt(4);
                t.flushPort(port);
                expected.values().removeIf(p -> p == port);
            } else if (expected.size() < size || expected.containsKey(m)) {
                int port = 1 + random.nextInt(4);
                t.learn(0, m, port);
                expected.put(m, port);
            }
            for (int i = 0; i < 200; i++) {
                long probe = 0x0200_0000_0000L | i;
                int want = expected.getOrDefault(probe, -1);
                if (t.lookup(0, probe) != want) {
                    assertThat(t.lookup(0, probe)).as("table of %d: mac %d after round %d", size, i, round).isEqualTo(want);
                }
            }
            assertThat(t.size()).isEqualTo(expected.size());
        }
    }

    @Test
    void everyOperationReleasesTheLock() {
        MacTable t = table(16, 1_000);
        t.learn(0, mac(1), 1);
        t.addStatic(0, mac(2), 2);
        t.expire();
        otherThreadLearns(t, 10);
        t.flushPort(7);
        otherThreadLearns(t, 11);
        t.removeStatic(0, mac(2));
        otherThreadLearns(t, 12);
        t.removeStatic(0, mac(3));
        otherThreadLearns(t, 13);
        t.addStatic(0, mac(4), 4);
        otherThreadLearns(t, 14);
        t.countForPort(1);
        otherThreadLearns(t, 15);
        t.entries();
        otherThreadLearns(t, 16);
    }

    /** Fails within 2 s (before PIT's own timeout) when the table's lock was left held. */
    private static void otherThreadLearns(MacTable t, int n) {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () ->
                CompletableFuture.runAsync(() -> t.learn(0, mac(n), 9)).get(2, TimeUnit.SECONDS));
        assertThat(t.lookup(0, mac(n))).isEqualTo(9);
    }
}
