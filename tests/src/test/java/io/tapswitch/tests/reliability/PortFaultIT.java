package io.tapswitch.tests.reliability;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.tests.lab.SwitchUnderTest;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Devices failing under a running switch: a TAP's netdev deleted while traffic flows and created
 * again, links flapped a hundred times, a veth deleted and re-created, and a hundred port
 * open/add/remove cycles. After each the port must forward again on its own, its thread must have
 * survived without spinning, and nothing may have leaked.
 *
 * <p>Hosts: {@code t1} and {@code t2} on switch-owned TAPs, {@code v3} behind a veth whose root end
 * is an AF_PACKET port.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortFaultIT {
    private static final String PREFIX = "tsrp";
    private static final String IP1 = "198.18.4.1";
    private static final String IP2 = "198.18.4.2";
    private static final String IP3 = "198.18.4.3";
    private static final String MAC2 = "02:00:00:04:00:02";
    private static final String MAC3 = "02:00:00:04:00:03";
    private static final int FLAPS = 100;
    private static final int CYCLES = 100;
    private static FaultLab lab;
    private static Netns t1;
    private static Netns t2;
    private static Netns v3;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        lab = new FaultLab(PREFIX);
        t1 = lab.tapHost("t1", "02:00:00:04:00:01", IP1 + "/24");
        t2 = lab.tapHost("t2", MAC2, IP2 + "/24");
        v3 = lab.vethHost("v3", MAC3, IP3 + "/24");
        assertThat(FaultLab.pings(t1, IP2, 2)).as("t1 -> t2").isTrue();
        assertThat(FaultLab.pings(t1, IP3, 2)).as("t1 -> v3").isTrue();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    /** The event loop thread that reads the port (with one loop, the same thread for every port). */
    private static Thread worker(String suffix) {
        Thread thread = lab.sw().view().threadOf(lab.name(suffix));
        assertThat(thread).as("loop thread of %s", suffix).isNotNull();
        return thread;
    }

    @Test
    @Order(1)
    void aTapDeletedUnderLoadGoesDownQuietlyAndComesBack() throws Exception {
        SwitchPort port = lab.port("t2");
        Thread thread = worker("t2");
        int fd = port.device().pollFd();
        List<Process> load = new ArrayList<>();
        try {
            load.add(new ProcessBuilder(t2.inside("iperf3", "-s", "-1", "-p", "5301")).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            Thread.sleep(300);
            load.add(new ProcessBuilder(t1.inside("iperf3", "-c", IP2, "-p", "5301", "-t", "30", "-b", "200M"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            load.add(new ProcessBuilder(t1.inside("ping", "-q", "-i", "0.01", "-w", "30", IP2)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            await().atMost(10, TimeUnit.SECONDS).until(() -> port.stats().txBytes() > 5_000_000);
            long txBefore = port.stats().txPackets();

            t2.exec("ip", "link", "del", lab.name("t2"));
            await().atMost(5, TimeUnit.SECONDS).until(() -> !port.operUp());
            assertThat(lab.changes()).contains(new SwitchUnderTest.StateChange(lab.name("t2"), false));

            // Down, with t1 still sending towards t2: the thread must wait, not spin.
            long cpu0 = Footprint.cpuNanos(thread);
            long rxErrors0 = port.stats().rxErrors();
            Thread.sleep(3000);
            long cpuMillis = (Footprint.cpuNanos(thread) - cpu0) / 1_000_000;
            long rxErrors = port.stats().rxErrors() - rxErrors0;
            System.out.printf("PortFaultIT: TAP deleted under load (%d frames sent to it before): its event loop used"
                    + " %d ms CPU in 3 s while down, %d receive errors%n", txBefore, cpuMillis, rxErrors);
            assertThat(thread.isAlive()).isTrue();
            assertThat(cpuMillis).as("CPU ms of the port's event loop (which also forwards the rest) in 3 s while down").isLessThan(300);
            assertThat(rxErrors).as("receive errors in 3 s while down: about one a second").isLessThanOrEqualTo(8);

            HostCommand.check("ip", "tuntap", "add", "dev", lab.name("t2"), "mode", "tap");
            // the port re-attaches and brings the link up within about a second
            await().atMost(10, TimeUnit.SECONDS).until(() -> carrier(lab.name("t2")));
            t2.adopt(lab.name("t2"));
            t2.configure(lab.name("t2"), MAC2, IP2 + "/24", null);
            lab.awaitPing(t1, IP2, 20);
            assertThat(port.operUp()).isTrue();
            assertThat(port.device().pollFd()).as("same descriptor number after re-attaching").isEqualTo(fd);
            // Port events reach the event bus through the agent's event bridge, drained every 100 ms:
            // the "up" may still be on its way when the first ping already went through.
            await().atMost(2, TimeUnit.SECONDS).untilAsserted(() -> assertThat(lab.changes()).containsSubsequence(
                    new SwitchUnderTest.StateChange(lab.name("t2"), false), new SwitchUnderTest.StateChange(lab.name("t2"), true)));
            assertThat(worker("t2")).isSameAs(thread);
        } finally {
            load.forEach(Process::destroyForcibly);
        }
        assertThat(FaultLab.pings(t2, IP3, 2)).as("t2 -> v3 after re-attach").isTrue();
    }

    private static boolean carrier(String link) {
        try {
            return Files.readString(Path.of("/sys/class/net", link, "carrier")).trim().equals("1");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    @Order(2)
    void linksFlappedAHundredTimesForwardAfterwards() throws Exception {
        Thread tapThread = worker("t2");
        Thread vethThread = worker("v3");
        Path tapBatch = Files.createTempFile("tsrp-flap", ".ip");
        Path vethBatch = Files.createTempFile("tsrp-flap", ".ip");
        Process ping = null;
        try {
            // ten rounds of ten down/up flaps, on the TAP (inside its host) and on the veth at once
            Files.writeString(tapBatch, flaps(lab.name("t2"), FLAPS / 10));
            Files.writeString(vethBatch, flaps(lab.name("v3"), FLAPS / 10));
            ping = new ProcessBuilder(t1.inside("ping", "-q", "-i", "0.01", "-w", "20", IP3)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long began = System.nanoTime();
            for (int round = 0; round < 10; round++) {
                Process tap = new ProcessBuilder(t2.inside("ip", "-batch", tapBatch.toString()))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                HostCommand.check("ip", "-batch", vethBatch.toString());
                assertThat(tap.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(tap.exitValue()).isZero();
                Thread.sleep(20);
            }
            System.out.printf("PortFaultIT: %d down/up flaps on a TAP and on a veth in %d ms%n", FLAPS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        } finally {
            if (ping != null) {
                ping.destroyForcibly();
            }
            Files.deleteIfExists(tapBatch);
            Files.deleteIfExists(vethBatch);
        }
        lab.awaitPing(t1, IP2, 20);
        lab.awaitPing(t1, IP3, 20);
        assertThat(FaultLab.pings(t2, IP3, 3)).as("t2 -> v3 after flapping").isTrue();
        assertThat(worker("t2")).isSameAs(tapThread);
        assertThat(worker("v3")).isSameAs(vethThread);
        assertThat(lab.port("t2").operUp()).isTrue();
        assertThat(lab.port("v3").operUp()).isTrue();
    }

    private static String flaps(String link, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append("link set dev ").append(link).append(" down\n");
            sb.append("link set dev ").append(link).append(" up\n");
        }
        return sb.toString();
    }

    @Test
    @Order(3)
    void aVethDeletedAndCreatedAgainIsFollowedEachTime() throws Exception {
        SwitchPort port = lab.port("v3");
        Thread thread = worker("v3");
        int fd = port.device().pollFd();
        int cycles = 3;
        long began = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            HostCommand.check("ip", "link", "del", lab.name("v3"));
            await().atMost(5, TimeUnit.SECONDS).until(() -> !port.operUp());
            lab.connectVeth("v3", v3, MAC3, IP3 + "/24");
            lab.awaitPing(t1, IP3, 20);
            assertThat(((PacketPort) port.device()).boundIndex()).isEqualTo(NetDevice.index(lab.name("v3")));
        }
        System.out.printf("PortFaultIT: veth deleted and re-created %d times, forwarding back each time, in %d ms%n",
                cycles, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        assertThat(port.device().pollFd()).isEqualTo(fd);
        assertThat(worker("v3")).isSameAs(thread);
        assertThat(port.operUp()).isTrue();
    }

    @Test
    @Order(4)
    void aHundredPortCyclesLeaveNoDescriptorOrThread() throws Exception {
        SwitchUnderTest sw = lab.sw();
        String veth = lab.name("cy");
        lab.track(veth);
        HostCommand.check("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "e");
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + veth + ".disable_ipv6=1");
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + veth + "e.disable_ipv6=1");
        HostCommand.check("ip", "link", "set", "dev", veth + "e", "up");
        HostCommand.check("ip", "link", "set", "dev", veth, "up");
        lab.track(lab.name("cyt"));
        cycle(sw, veth);
        List<String> fdsBefore = Footprint.fds();
        long portThreadsBefore = Footprint.threads("tapswitch-");
        int threadsBefore = Thread.activeCount();
        long began = System.nanoTime();
        for (int i = 0; i < CYCLES; i++) {
            cycle(sw, veth);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        List<String> fdsAfter = Footprint.fds();
        long portThreadsAfter = Footprint.threads("tapswitch-");
        int threadsAfter = Thread.activeCount();
        System.out.printf("PortFaultIT: %d cycles (TAP open+add+remove, AF_PACKET open+add+remove, TAP open+close)"
                        + " in %d ms; fds %d -> %d, tapswitch threads %d -> %d, all threads %d -> %d%n", CYCLES, millis,
                fdsBefore.size(), fdsAfter.size(), portThreadsBefore, portThreadsAfter, threadsBefore, threadsAfter);
        assertThat(fdsAfter).as("open descriptors after %d cycles", CYCLES).isEqualTo(fdsBefore);
        assertThat(portThreadsAfter).isEqualTo(portThreadsBefore);
        assertThat(threadsAfter).isLessThanOrEqualTo(threadsBefore);
        assertThat(NetDevice.exists(lab.name("cyt"))).as("cycled TAP removed").isFalse();
        lab.awaitPing(t1, IP3, 10);
    }

    /**
     * One of each, ports through the control plane: a TAP port added and removed, an AF_PACKET port
     * added and removed, and a bare TAP device opened and closed.
     */
    private static void cycle(SwitchUnderTest sw, String veth) throws Exception {
        String tap = lab.name("cyt");
        sw.addPort(new PortSpec(tap, PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.CREATE, false, true));
        sw.removePort(tap);
        sw.addNetdev(veth, VlanConfig.DEFAULT);
        sw.removePort(veth);
        TapPort.open(tap, false, true).close();
    }
}
