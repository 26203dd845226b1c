package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.port.MemoryPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;

/** Port security, storm control and fair eviction under a MAC flood, driven through the switch. */
class PortProtectionTest {
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");
    private Switch sw;
    private MemoryPort p1;
    private MemoryPort p2;
    private MemoryPort p3;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    @BeforeEach
    void setUp() {
        sw = new Switch(SwitchOptions.defaults().withMacTableSize(256));
        p1 = new MemoryPort("p1");
        p2 = new MemoryPort("p2");
        p3 = new MemoryPort("p3");
        sw.addPassivePort(p1, PortConfig.enabled("p1"));
        sw.addPassivePort(p2, PortConfig.enabled("p2"));
        sw.addPassivePort(p3, PortConfig.enabled("p3"));
    }

    @AfterEach
    void tearDown() {
        sw.close();
    }

    private Reason send(String port, byte[] bytes) {
        frame.load(bytes);
        frame.inPort = sw.topology().idOf(port);
        return sw.process(frame);
    }

    private SwitchPort port(String name) {
        return sw.topology().port(sw.topology().idOf(name));
    }

    @Test
    void learnStopForwardsButDoesNotLearnBeyondTheLimit() {
        sw.configurePort("p1", c -> c.withSecurity(new PortSecurity(2, PortSecurity.Violation.LEARN_STOP)));
        for (int i = 1; i <= 5; i++) {
            assertThat(send("p1", Frames.ethernet(BCAST, 0x0200_0000_0100L + i, 0x0806, 46))).isEqualTo(Reason.FLOOD_BROADCAST);
        }
        assertThat(sw.fdb().entriesOf(port("p1").id())).isEqualTo(2);
        assertThat(port("p1").stats().learnRefused()).isEqualTo(3);
        assertThat(p2.sent()).hasSize(5);
        // known stations keep working and refreshing
        assertThat(send("p1", Frames.ethernet(BCAST, 0x0200_0000_0101L, 0x0806, 46))).isEqualTo(Reason.FLOOD_BROADCAST);
        assertThat(port("p1").stats().learnRefused()).isEqualTo(3);
    }

    @Test
    void dropViolationDropsFramesOfNewStations() {
        sw.configurePort("p1", c -> c.withSecurity(new PortSecurity(1, PortSecurity.Violation.DROP)));
        assertThat(send("p1", Frames.ethernet(BCAST, 0x0200_0000_0101L, 0x0806, 46))).isEqualTo(Reason.FLOOD_BROADCAST);
        assertThat(send("p1", Frames.ethernet(BCAST, 0x0200_0000_0102L, 0x0806, 46))).isEqualTo(Reason.DROP_PORT_SECURITY);
        assertThat(send("p1", Frames.ethernet(BCAST, 0x0200_0000_0101L, 0x0806, 46))).isEqualTo(Reason.FLOOD_BROADCAST);
        assertThat(port("p1").stats().decisions(Reason.DROP_PORT_SECURITY)).isEqualTo(1);
        assertThat(p2.sent()).hasSize(2);
    }

    @Test
    void stormControlCutsABroadcastStormToTheConfiguredRate() {
        sw.configurePort("p1", c -> c.withStorm(new StormControl(100, 0, 0)));
        long start = System.nanoTime();
        for (int i = 0; i < 20_000; i++) {
            send("p1", Frames.ethernet(BCAST, 0x0200_0000_0101L, 0x0806, 46));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long passed = port("p1").stats().decisions(Reason.FLOOD_BROADCAST);
        long dropped = port("p1").stats().decisions(Reason.DROP_STORM_CONTROL);
        assertThat(passed + dropped).isEqualTo(20_000);
        assertThat(passed).isBetween(100L, 100L + (long) Math.ceil(seconds * 100) + 1);
        assertThat(p2.sent()).hasSize((int) passed);
        // unicast between learned stations is not limited
        send("p2", Frames.ethernet(BCAST, 0x0200_0000_0202L, 0x0806, 46));
        for (int i = 0; i < 1000; i++) {
            assertThat(send("p1", Frames.ethernet(0x0200_0000_0202L, 0x0200_0000_0101L, 0x0800, 46)))
                    .isEqualTo(Reason.FORWARD_UNICAST);
        }
    }

    @Test
    void aMacFloodOnOnePortNeverEvictsTheOtherPortsStations() {
        long h2 = 0x0200_0000_0202L;
        long h3 = 0x0200_0000_0303L;
        send("p2", Frames.ethernet(BCAST, h2, 0x0806, 46));
        send("p3", Frames.ethernet(BCAST, h3, 0x0806, 46));
        Random random = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long src = (random.nextLong() & 0xfeff_ffff_ffffL) | 0x0200_0000_0000L;
            send("p1", Frames.ethernet(h2, src, 0x0800, 46));
            assertThat(sw.fdb().size()).isLessThanOrEqualTo(256);
        }
        assertThat(sw.fdb().lookup(0, h2)).isEqualTo(port("p2").id());
        assertThat(sw.fdb().lookup(0, h3)).isEqualTo(port("p3").id());
        assertThat(sw.fdb().counters().evicted()).isGreaterThan(90_000);
        p3.clearSent();
        assertThat(send("p2", Frames.ethernet(h3, h2, 0x0800, 46))).isEqualTo(Reason.FORWARD_UNICAST);
        assertThat(p3.sent()).hasSize(1);
    }
}
