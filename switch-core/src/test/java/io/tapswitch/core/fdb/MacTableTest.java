package io.tapswitch.core.fdb;

import io.tapswitch.core.frame.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
