package io.tapswitch.tests.reliability;

import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.fdb.FdbCounters;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A MAC flood on a real switch: host A sprays frames from at least 100 000 random source MACs, as
 * fast as the switch takes them, while hosts B and C ping each other every 10 ms. With the default
 * 8192-entry table the flood must cost B and C nothing: no ping lost, their entries kept (fair
 * eviction takes the attacker's own entries), the table never above its bound, the heap flat.
 *
 * <p>A is a switch TAP whose netdev stays in the root namespace; the test writes the flood into that
 * netdev through an AF_PACKET socket, so every frame enters the switch the way a guest's would. The
 * writer keeps at most {@link #IN_FLIGHT} frames ahead of what the switch has read, so the TAP's
 * queue never overflows and every frame sent is a frame the switch decided on.
 */
class MacFloodIT {
    private static final String PREFIX = "tsrf";
    private static final int MACS = 100_000;
    private static final int IN_FLIGHT = 256;
    private static final String MAC_B = "02:00:00:03:00:02";
    private static final String MAC_C = "02:00:00:03:00:03";
    private static FaultLab lab;
    private static Netns b;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        lab = new FaultLab(PREFIX);
        b = lab.tapHost("b", MAC_B, "198.18.3.2/24");
        lab.tapHost("c", MAC_C, "198.18.3.3/24");
        lab.bareTap("a");
        assertThat(FaultLab.pings(b, "198.18.3.3", 2)).as("B and C ping before the flood").isTrue();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aFloodOfRandomSourceMacsCostsOtherHostsNothing() throws Exception {
        SwitchView sw = lab.sw().view();
        SwitchPort a = lab.port("a");
        SwitchPort portB = lab.port("b");
        SwitchPort portC = lab.port("c");
        long heapBefore = Footprint.heapAfterGc();
        FdbCounters before = sw.fdb().counters();

        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxSize = new AtomicInteger();
        AtomicInteger lostB = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                maxSize.accumulateAndGet(sw.fdb().size(), Math::max);
                if (sw.fdb().lookup(0, MacAddress.parse(MAC_B)) != portB.id()) {
                    lostB.incrementAndGet();
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "tsrf-sampler");
        sampler.start();

        Process ping = new ProcessBuilder(b.inside("ping", "-q", "-i", "0.01", "-c", "500", "-W", "2", "198.18.3.3"))
                .redirectErrorStream(true).start();
        long sent = 0;
        long sendErrors = 0;
        long began = System.nanoTime();
        long deadline = began + TimeUnit.SECONDS.toNanos(40);
        long rxBase = a.stats().rxPackets();
        try (PacketPort injector = PacketPort.open(lab.name("a"), false)) {
            Frame frame = new Frame(4);
            frame.load(template());
            ByteBuffer buf = frame.buffer();
            int at = frame.frame();
            SplittableRandom random = new SplittableRandom(20260101L);
            while ((sent < MACS || ping.isAlive()) && System.nanoTime() < deadline) {
                if (sent - (a.stats().rxPackets() - rxBase) >= IN_FLIGHT) {
                    Thread.onSpinWait();
                    continue;
                }
                putMac(buf, at, random.nextLong() & 0xfeff_ffff_ffffL | 0x0200_0000_0000L);
                putMac(buf, at + 6, random.nextLong() & 0xfeff_ffff_ffffL | 0x0200_0000_0000L);
                if (injector.send(frame) == 0) {
                    sent++;
                } else {
                    sendErrors++;
                    Thread.onSpinWait();
                }
            }
        } finally {
            if (!ping.waitFor(15, TimeUnit.SECONDS)) {
                ping.destroyForcibly();
            }
            sampling.set(false);
            sampler.join(2000);
        }
        long reached = sent;
        // every frame handed to the kernel is decided before the FDB counters are read
        await().atMost(5, TimeUnit.SECONDS).until(() -> a.stats().rxPackets() - rxBase >= reached);
        double seconds = (System.nanoTime() - began) / 1e9;
        String pingOut = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int[] counts = FaultLab.pingCounts(pingOut);
        FdbCounters after = sw.fdb().counters();
        long heapAfter = Footprint.heapAfterGc();

        System.out.printf("MacFloodIT: %d frames from random source MACs in %.1f s (%.0f frames/s, %d send retries)%n",
                sent, seconds, sent / seconds, sendErrors);
        System.out.printf("MacFloodIT: ping B->C every 10 ms during the flood: %d sent, %d received (%s)%n",
                counts[0], counts[1], pingOut.lines().filter(l -> l.startsWith("rtt")).findFirst().orElse("no rtt"));
        System.out.printf("MacFloodIT: FDB max %d / %d entries; learned +%d, evicted +%d; B's entry missing in %d samples;"
                        + " entries now A %d, B %d, C %d%n", maxSize.get(), sw.fdb().capacity(),
                after.learned() - before.learned(), after.evicted() - before.evicted(), lostB.get(),
                sw.fdb().countForPort(a.id()), sw.fdb().countForPort(portB.id()), sw.fdb().countForPort(portC.id()));
        System.out.printf("MacFloodIT: heap after GC %d KB before, %d KB after (%+d KB)%n", heapBefore >> 10,
                heapAfter >> 10, (heapAfter - heapBefore) >> 10);

        assertThat(sent).as("frames from random MACs").isGreaterThanOrEqualTo(MACS);
        assertThat(counts[0]).as("pings sent: " + pingOut).isEqualTo(500);
        assertThat(counts[1]).as("pings answered, none lost: " + pingOut).isEqualTo(500);
        assertThat(maxSize.get()).as("FDB size never above its bound").isLessThanOrEqualTo(MacTable.DEFAULT_MAX_ENTRIES);
        assertThat(sw.fdb().lookup(0, MacAddress.parse(MAC_B))).as("B kept on its port").isEqualTo(portB.id());
        assertThat(sw.fdb().lookup(0, MacAddress.parse(MAC_C))).as("C kept on its port").isEqualTo(portC.id());
        assertThat(lostB.get()).as("samples in which B's entry was missing").isZero();
        assertThat(after.evicted() - before.evicted()).as("evictions: every flooded MAC beyond the table's room")
                .isGreaterThanOrEqualTo(sent - MacTable.DEFAULT_MAX_ENTRIES);
        assertThat(heapAfter - heapBefore).as("heap growth after GC, bytes").isLessThan(32L << 20);
    }

    /** A minimum-size frame of a local experimental EtherType; the MACs are filled in per frame. */
    private static byte[] template() {
        byte[] bytes = new byte[60];
        bytes[12] = (byte) 0x88;
        bytes[13] = (byte) 0xb5;
        return bytes;
    }

    private static void putMac(ByteBuffer buf, int at, long mac) {
        buf.putInt(at, (int) (mac >>> 16));
        buf.putShort(at + 4, (short) mac);
    }
}
