package io.tapswitch.core.engine;

import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.impair.Impairment;
import io.tapswitch.core.impair.LinkImpairment;
import io.tapswitch.core.port.MemoryPort;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;

/** Link impairments applied by a running switch's event loop, on in-memory ports. */
class ImpairmentLoopTest {
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");

    private static byte[] broadcast(int marker) {
        byte[] bytes = Frames.ethernet(BCAST, mac("02:00:00:00:00:0a"), 0x0806, 46);
        bytes[20] = (byte) marker;
        return bytes;
    }

    private static Impairment delay(double ms) {
        return new Impairment(ms, 0, 0, 0, 0, 0);
    }

    private static void impair(Switch sw, String port, Impairment egress, Impairment ingress) {
        sw.configurePort(port, c -> c.withImpair(LinkImpairment.of(egress, ingress)));
    }

    /** Injects broadcasts marked {@code from} up to, not including, {@code to} into {@code port}. */
    private static void injectBroadcasts(MemoryPort port, int from, int to) {
        for (int i = from; i < to; i++) {
            port.inject(broadcast(i));
        }
    }

    private static SwitchPort port(Switch sw, String name) {
        return sw.topology().port(sw.topology().idOf(name));
    }

    /**
     * Waits until a counter that the event loop updates reaches {@code target}, or until
     * {@code timeout} has passed. It asserts nothing: the caller asserts the counter's value, so that
     * a failure names the counter and what it held.
     */
    private static void awaitAtLeast(LongSupplier counter, long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (counter.getAsLong() < target && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    private static Switch switchWith(MemoryPort... ports) throws Exception {
        Switch sw = new Switch(SwitchOptions.defaults());
        for (MemoryPort p : ports) {
            sw.addPort(p, PortConfig.enabled(p.name()));
        }
        return sw;
    }

    @Test
    void anEgressDelayHoldsFramesForThatPortOnly() throws Exception {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        MemoryPort c = new MemoryPort("c");
        try (Switch sw = switchWith(a, b, c)) {
            impair(sw, "b", delay(150), null);
            long t0 = System.nanoTime();
            a.inject(broadcast(1));
            assertThat(c.awaitSent(1, Duration.ofSeconds(5))).hasSize(1);
            assertThat(b.sent()).as("b's copy is still delayed when c has its own").isEmpty();
            assertThat(b.awaitSent(1, Duration.ofSeconds(5))).hasSize(1);
            long delayed = System.nanoTime() - t0;
            assertThat(delayed / 1_000_000).isBetween(150L, 1000L);
            assertThat(b.sent().get(0)).isEqualTo(broadcast(1));
            PortStats stats = port(sw, "b").stats();
            awaitAtLeast(stats::txPackets, 1, Duration.ofSeconds(2));
            assertThat(stats.txPackets()).as("counted when sent").isEqualTo(1);
        }
    }

    @Test
    void anIngressDelayDefersTheDecision() throws Exception {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        try (Switch sw = switchWith(a, b)) {
            impair(sw, "a", null, delay(150));
            long t0 = System.nanoTime();
            a.inject(broadcast(1));
            Thread.sleep(50);
            assertThat(b.sent()).isEmpty();
            assertThat(sw.fdb().size()).as("nothing learned before the frame is released").isZero();
            assertThat(b.awaitSent(1, Duration.ofSeconds(5))).hasSize(1);
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(150L, 1000L);
            SwitchPort port = port(sw, "a");
            assertThat(port.stats().rxPackets()).as("counted once, as it arrived").isEqualTo(1);
            assertThat(port.stats().decisions(Reason.FLOOD_BROADCAST)).isEqualTo(1);
            assertThat(sw.fdb().size()).isEqualTo(1);
        }
    }

    @Test
    void lossDropsAndCountsInBothDirections() throws Exception {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        MemoryPort c = new MemoryPort("c");
        try (Switch sw = switchWith(a, b, c)) {
            impair(sw, "b", new Impairment(0, 0, 100, 0, 0, 0), null);
            injectBroadcasts(a, 0, 10);
            assertThat(c.awaitSent(10, Duration.ofSeconds(5))).hasSize(10);
            assertThat(port(sw, "b").stats().txDrops(Reason.DROP_IMPAIR_LOSS)).isEqualTo(10);
            assertThat(b.sent()).isEmpty();

            impair(sw, "b", null, null);
            impair(sw, "a", null, new Impairment(0, 0, 100, 0, 0, 0));
            injectBroadcasts(a, 0, 5);
            c.inject(broadcast(99));
            assertThat(b.awaitSent(1, Duration.ofSeconds(5))).hasSize(1);
            Thread.sleep(50);
            assertThat(b.sent()).hasSize(1);
            assertThat(port(sw, "a").stats().decisions(Reason.DROP_IMPAIR_LOSS)).isEqualTo(5);
        }
    }

    @Test
    void duplicatesArriveTwice() throws Exception {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        try (Switch sw = switchWith(a, b)) {
            impair(sw, "b", new Impairment(0, 0, 0, 100, 0, 0), null);
            a.inject(broadcast(3));
            assertThat(b.awaitSent(2, Duration.ofSeconds(5))).containsExactly(broadcast(3), broadcast(3));
        }
    }

    @Test
    void aFullQueueDropsWithItsOwnReason() throws Exception {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        try (Switch sw = switchWith(a, b)) {
            // 8 kbit/s: 1 KB a second; the line holds 512 KB, so big frames fill it at once.
            impair(sw, "b", new Impairment(0, 0, 0, 0, 0, 8), null);
            byte[] big = Frames.ethernet(BCAST, mac("02:00:00:00:00:0a"), 0x0800, 1486);
            for (int i = 0; i < 400; i++) {
                a.inject(big);
            }
            SwitchPort port = port(sw, "b");
            awaitAtLeast(() -> port.stats().txDrops(Reason.DROP_IMPAIR_QUEUE_FULL), 400 - 349, Duration.ofSeconds(5));
            assertThat(port.stats().txDrops(Reason.DROP_IMPAIR_QUEUE_FULL)).isBetween(400L - 349, 400L - 340);
        }
    }

    @Test
    void clearingTheImpairmentReleasesWhatItHeldInOrder() throws Exception {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        try (Switch sw = switchWith(a, b)) {
            impair(sw, "b", delay(10_000), null);
            injectBroadcasts(a, 0, 5);
            Thread.sleep(100);
            assertThat(b.sent()).isEmpty();
            long t0 = System.nanoTime();
            impair(sw, "b", null, null);
            a.inject(broadcast(5));
            List<byte[]> sent = b.awaitSent(6, Duration.ofSeconds(5));
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
            assertThat(sent).hasSize(6);
            for (int i = 0; i < 5; i++) {
                assertThat(sent.get(i)).isEqualTo(broadcast(i));
            }
        }
    }

    @Test
    void removingAPortWithQueuedFramesDiscardsThemAndTheLoopGoesOn() throws Exception {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        MemoryPort c = new MemoryPort("c");
        try (Switch sw = switchWith(a, b, c)) {
            impair(sw, "b", delay(300), null);
            impair(sw, "a", null, delay(300));
            injectBroadcasts(a, 0, 5);
            Thread.sleep(350);
            injectBroadcasts(a, 0, 5);
            Thread.sleep(50);
            assertThat(sw.removePort("b")).isTrue();
            assertThat(sw.removePort("a")).isTrue();
            Thread.sleep(400);
            assertThat(b.isClosed()).isTrue();
            assertThat(b.sent()).as("nothing sent through b after its removal").isEmpty();
            MemoryPort d = new MemoryPort("d");
            sw.addPort(d, PortConfig.enabled("d"));
            assertThat(sw.topology().idOf("d")).as("the removed port's id, reused").isEqualTo(0);
            c.inject(broadcast(9));
            assertThat(d.awaitSent(1, Duration.ofSeconds(5))).hasSize(1);
            Thread.sleep(400);
            assertThat(d.sent()).as("no leftover of a's or b's lines reaches the port that took an id").hasSize(1);
        }
    }

    @Test
    void anIdleImpairedLoopSleeps() throws Exception {
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = new MemoryPort("b");
        try (Switch sw = switchWith(a, b)) {
            impair(sw, "b", delay(20), null);
            a.inject(broadcast(1));
            assertThat(b.awaitSent(1, Duration.ofSeconds(5))).hasSize(1);
            Thread loop = sw.threadOf("a");
            long cpu0 = cpuNanos(loop);
            Thread.sleep(1000);
            assertThat((cpuNanos(loop) - cpu0) / 1_000_000).as("CPU ms of an idle loop with an impaired port").isLessThan(50);
        }
    }

    @Test
    void anImpairedPortAllocatesNothingPerFrame() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemoryPort a = new MemoryPort("a");
        MemoryPort b = MemoryPort.discarding("b");
        try (Switch sw = switchWith(a, b)) {
            impair(sw, "b", new Impairment(1, 0.5, 5, 5, 5, 0), null);
            impair(sw, "a", null, new Impairment(1, 0, 0, 0, 0, 0));
            Thread loop = sw.threadOf("a");
            SwitchPort port = port(sw, "b");
            long allocated = 0;
            for (int round = 0; round < 3; round++) {
                long before = threads.getThreadAllocatedBytes(loop.getId());
                long handled = handled(port);
                for (int i = 0; i < 20_000; i++) {
                    a.inject(broadcast(i));
                    if (i % 1000 == 999) {
                        Thread.sleep(2);
                    }
                }
                awaitAtLeast(() -> handled(port), handled + 20_000, Duration.ofSeconds(20));
                allocated = threads.getThreadAllocatedBytes(loop.getId()) - before;
            }
            assertThat(allocated).as("bytes the loop allocated for 20 000 impaired frames, after two warm-up rounds")
                    .isLessThan(8_192);
        }
    }

    /** Frames that reached b's impairment: sent (originals and duplicates) or dropped by it. */
    private static long handled(SwitchPort port) {
        return port.stats().txPackets() + port.stats().txDrops(Reason.DROP_IMPAIR_LOSS)
                + port.stats().txDrops(Reason.DROP_IMPAIR_QUEUE_FULL);
    }

    private static long cpuNanos(Thread t) {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
    }
}
