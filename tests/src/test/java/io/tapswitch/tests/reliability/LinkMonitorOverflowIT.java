package io.tapswitch.tests.reliability;

import io.tapswitch.agent.attach.LinkMonitor;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.tests.netns.Root;
import io.tapswitch.tests.tunnel.InNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent's link monitor when the kernel drops link events. A listener that stops the monitor's
 * thread (as a slow control plane would) lets the kernel fill the socket's queue, so that it really
 * drops the announcements of a burst of interfaces and the next read fails with ENOBUFS. The
 * monitor must then rescan on its own, and the listener must end up knowing exactly the interfaces
 * there are: every one that appeared unannounced, and none that went unannounced.
 *
 * <p>Each test runs in a namespace of its own, {@code tsenb}, holding TAPs named {@code tsenb-*}:
 * the monitor's socket is opened there, so interfaces other tests make on this machine cannot
 * disturb the comparison with the kernel's list, and deleting the namespace removes every TAP the
 * test made, also when it fails. The socket gets a small receive queue, so a few dozen events
 * overflow it instead of the thousands the agent's default would take.
 */
class LinkMonitorOverflowIT {
    private static final String NS = "tsenb";
    /** Doubled by the kernel: room for a handful of link messages. */
    private static final int SMALL_QUEUE = 4096;
    /** Interfaces there before the monitor starts: enough that its first dump takes several reads. */
    private static final int EXISTING = 30;
    /** Interfaces made while the monitor is held, many times what the queue holds. */
    private static final int BURST = 40;
    private static final Duration CATCH_UP = Duration.ofSeconds(10);
    private final Knowledge known = new Knowledge();
    private Netns ns;
    private LinkMonitor monitor;

    @BeforeEach
    void up() {
        Root.require();
        ns = Netns.create(NS);
    }

    @AfterEach
    void down() {
        known.releaseIfHeld();
        try {
            if (monitor != null) {
                monitor.close();
            }
        } finally {
            ns.close();
        }
    }

    /**
     * The positive control: with the same small queue and a reader that keeps up, interfaces made
     * one by one are each announced as they come and go, and nothing is ever rescanned, so the
     * rescans the next test sees are the kernel's dropped events and not the small queue itself.
     */
    @Test
    void aReaderThatKeepsUpHearsEveryEventAndNeverRescans() throws Exception {
        monitor = start();
        await().atMost(CATCH_UP).until(() -> known.names().equals(kernelLinks()));
        for (String tap : taps("c", 10)) {
            HostCommand.check("ip", "-n", NS, "tuntap", "add", tap, "mode", "tap");
            await().atMost(CATCH_UP).until(() -> known.names().contains(tap));
        }
        for (String tap : taps("c", 10)) {
            HostCommand.check("ip", "-n", NS, "link", "del", tap);
            await().atMost(CATCH_UP).until(() -> !known.names().contains(tap));
        }
        assertThat(known.names()).isEqualTo(kernelLinks()).containsExactly("lo");
        assertThat(monitor.rescans()).as("only the first dump").isEqualTo(1);
        assertThat(monitor.reopens()).isZero();
    }

    @Test
    void linkEventsTheKernelDroppedAreCaughtUpByARescanInBothDirections() throws Exception {
        List<String> existing = taps("e", EXISTING);
        batch("add", existing);
        known.holdNextCall();
        monitor = start();
        known.awaitHeld();
        long rescans = monitor.rescans();
        List<String> burst = taps("b", BURST);
        batch("add", burst);
        known.release();
        await().atMost(CATCH_UP).untilAsserted(() -> assertThat(known.names()).isEqualTo(kernelLinks()));
        assertThat(known.names()).containsAll(existing).containsAll(burst);
        assertThat(monitor.rescans()).as("rescans after appearances were dropped").isGreaterThan(rescans);

        // the first deletion's event holds the monitor; the others' announcements are dropped
        known.holdNextCall();
        HostCommand.check("ip", "-n", NS, "link", "del", burst.get(0));
        known.awaitHeld();
        rescans = monitor.rescans();
        List<String> rest = new ArrayList<>(burst.subList(1, BURST));
        rest.addAll(existing);
        batch("del", rest);
        known.release();
        await().atMost(CATCH_UP).untilAsserted(() -> assertThat(known.names()).isEqualTo(kernelLinks()));
        assertThat(known.names()).containsExactly("lo");
        assertThat(monitor.rescans()).as("rescans after removals were dropped").isGreaterThan(rescans);
        assertThat(monitor.reopens()).as("recovered without reopening the socket").isZero();
    }

    private LinkMonitor start() throws Exception {
        return InNamespace.call(NS, () -> LinkMonitor.start(known, Duration.ofMillis(200), SMALL_QUEUE));
    }

    private static List<String> taps(String kind, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(NS + "-" + kind + i);
        }
        return names;
    }

    /**
     * Adds ({@code add}) or deletes ({@code del}) TAPs with one {@code ip -batch}, so that their
     * events reach the socket in one burst rather than a process start apart.
     */
    private static void batch(String verb, List<String> taps) throws Exception {
        Path file = Files.createTempFile(NS, ".batch");
        try {
            List<String> lines = new ArrayList<>();
            for (String tap : taps) {
                lines.add(verb.equals("add") ? "tuntap add " + tap + " mode tap" : "link del " + tap);
            }
            Files.write(file, lines);
            HostCommand.check("ip", "-n", NS, "-batch", file.toString());
        } finally {
            Files.delete(file);
        }
    }

    /** Every interface of the test's namespace, as the kernel lists them now. */
    private static Set<String> kernelLinks() {
        Set<String> names = new HashSet<>();
        for (String line : HostCommand.check("ip", "-n", NS, "-o", "link", "show").output().split("\n")) {
            if (!line.isBlank()) {
                names.add(line.split(":\\s+", 3)[1].split("@")[0]);
            }
        }
        return names;
    }

    /**
     * What a listener believes exists, kept as the agent's auto-attach keeps its ports: events add
     * and remove, a rescan replaces. It can hold the monitor's thread in its next call, which is
     * how the test stops the socket from being read while the kernel keeps announcing.
     */
    private static final class Knowledge implements LinkMonitor.Listener {
        private final Set<String> names = ConcurrentHashMap.newKeySet();
        private final Semaphore held = new Semaphore(0);
        private volatile CountDownLatch gate;

        void holdNextCall() {
            gate = new CountDownLatch(1);
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.tryAcquire(10, TimeUnit.SECONDS)).as("the monitor called the listener").isTrue();
        }

        void release() {
            CountDownLatch g = gate;
            gate = null;
            g.countDown();
        }

        void releaseIfHeld() {
            CountDownLatch g = gate;
            if (g != null) {
                release();
            }
        }

        Set<String> names() {
            return Set.copyOf(names);
        }

        private void pass() {
            CountDownLatch g = gate;
            if (g != null) {
                held.release();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void appeared(String name) {
            pass();
            names.add(name);
        }

        @Override
        public void gone(String name) {
            pass();
            names.remove(name);
        }

        @Override
        public void present(Set<String> now) {
            pass();
            names.retainAll(now);
            names.addAll(now);
        }
    }
}
