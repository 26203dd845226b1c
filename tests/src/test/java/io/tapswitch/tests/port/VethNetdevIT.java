package io.tapswitch.tests.port;

import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.tests.lab.SwitchUnderTest;
import io.tapswitch.tests.netns.Listening;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Namespace hosts behind veth pairs, switched by a running {@link Switch} whose ports are
 * {@link PacketPort}s on the root-namespace ends: the way the switch reaches interfaces it does not
 * own. Pings between every pair and a TCP transfer compared by checksum prove forwarding, including
 * the TSO super-frames and partial checksums that veth hosts send (carried in the virtio-net header);
 * a link taken down and a link deleted and created again prove the ports recover on their own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VethNetdevIT {
    private static final int HOSTS = 3;
    private static final int TRANSFER_BYTES = 16 * 1024 * 1024;
    private static final String ID = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 4);

    private static final List<Netns> hosts = new ArrayList<>();
    private static SwitchUnderTest sw;

    private static String switchEnd(int i) {
        return "tspkv" + ID + "s" + i;
    }

    private static String hostEnd(int i) {
        return "tspkv" + ID + "e" + i;
    }

    private static String ip(int i) {
        return "198.18.0." + i;
    }

    private static String mac(int i) {
        return "02:7a:76:00:00:0" + i;
    }

    private static Netns host(int i) {
        return hosts.get(i - 1);
    }

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        sw = SwitchUnderTest.start("tspk-veth");
        for (int i = 1; i <= HOSTS; i++) {
            hosts.add(Netns.create("tspkv" + ID + "h" + i));
            connect(i);
            sw.addNetdev(switchEnd(i), VlanConfig.DEFAULT);
        }
    }

    /** Creates host {@code i}'s veth pair, the host end configured inside its namespace. */
    private static void connect(int i) {
        HostCommand.check("ip", "link", "add", switchEnd(i), "type", "veth", "peer", "name", hostEnd(i), "netns", host(i).name());
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + switchEnd(i) + ".disable_ipv6=1");
        HostCommand.check("ip", "link", "set", "dev", switchEnd(i), "up");
        host(i).configure(hostEnd(i), mac(i), ip(i) + "/24", null);
    }

    @AfterAll
    static void stop() {
        try {
            if (sw != null) {
                sw.close();
            }
        } finally {
            for (int i = 1; i <= HOSTS; i++) {
                if (NetDevice.exists(switchEnd(i))) {
                    HostCommand.run(List.of("ip", "link", "del", switchEnd(i)));
                }
            }
            hosts.forEach(Netns::close);
        }
    }

    private static boolean pings(int from, int to) {
        return host(from).run("ping", "-c", "2", "-i", "0.2", "-W", "2", ip(to)).output().contains("2 received");
    }

    private static SwitchPort port(int i) {
        return sw.port(switchEnd(i));
    }

    @Test
    @Order(1)
    void allPairsPing() {
        for (int a = 1; a <= HOSTS; a++) {
            for (int b = 1; b <= HOSTS; b++) {
                if (a != b) {
                    assertThat(pings(a, b)).as("ping h%d -> h%d", a, b).isTrue();
                }
            }
        }
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(sw.view().fdb().lookup(0, MacAddress.parse(mac(i)))).as("host %d learned on its port", i)
                    .isEqualTo(port(i).id());
        }
    }

    @Test
    @Order(2)
    void tcpTransferArrivesIntact() throws Exception {
        Path dir = Files.createTempDirectory("tspk-veth");
        Path sent = dir.resolve("sent.bin");
        Path received = dir.resolve("received.bin");
        byte[] data = new byte[TRANSFER_BYTES];
        new Random(11).nextBytes(data);
        Files.write(sent, data);
        Process server = null;
        Process client = null;
        try {
            server = new ProcessBuilder(host(2).inside("nc", "-l", "-p", "5002")).redirectOutput(received.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Listening.awaitTcp(host(2), 5002);
            long begin = System.nanoTime();
            client = new ProcessBuilder(host(1).inside("nc", "-N", ip(2), "5002")).redirectInput(sent.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("client finished").isTrue();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("server finished").isTrue();
            double seconds = (System.nanoTime() - begin) / 1e9;
            System.out.printf("VethNetdevIT: %d MB over TCP h1 -> h2 in %.2f s (%.0f MB/s)%n", TRANSFER_BYTES >> 20,
                    seconds, TRANSFER_BYTES / 1048576.0 / seconds);

            assertThat(Files.size(received)).isEqualTo(TRANSFER_BYTES);
            assertThat(sha256(received)).isEqualTo(sha256(sent));
            PortStats in = port(1).stats();
            assertThat(in.rxBytes()).as("bytes the switch read from h1").isGreaterThan(TRANSFER_BYTES);
            assertThat(port(2).stats().txErrors()).as("send errors towards h2").isZero();
            System.out.printf("VethNetdevIT: port 1 read %d frames for %d bytes (%.0f bytes per frame)%n",
                    in.rxPackets(), in.rxBytes(), (double) in.rxBytes() / in.rxPackets());
        } finally {
            if (client != null) {
                client.destroyForcibly();
            }
            if (server != null) {
                server.destroyForcibly();
            }
            Files.deleteIfExists(sent);
            Files.deleteIfExists(received);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    @Order(3)
    void aLinkTakenDownComesBackOnItsOwn() {
        long errorsBefore = port(2).stats().rxErrors();
        long downAt = System.nanoTime();
        HostCommand.check("ip", "link", "set", "dev", switchEnd(2), "down");
        await().atMost(5, TimeUnit.SECONDS).until(() -> !port(2).operUp());
        assertThat(pings(1, 2)).as("no path while h2's link is down").isFalse();

        HostCommand.check("ip", "link", "set", "dev", switchEnd(2), "up");
        await().atMost(15, TimeUnit.SECONDS).until(() -> pings(1, 2));
        assertThat(port(2).operUp()).isTrue();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - downAt) + 1;
        assertThat(port(2).stats().rxErrors() - errorsBefore).as("receive errors: about one a second, no spinning")
                .isPositive().isLessThanOrEqualTo(2 * seconds + 2);
    }

    @Test
    @Order(4)
    void aLinkDeletedAndCreatedAgainIsFollowed() {
        int fd = port(3).device().pollFd();
        HostCommand.check("ip", "link", "del", switchEnd(3));
        await().atMost(5, TimeUnit.SECONDS).until(() -> !port(3).operUp());

        connect(3);
        await().atMost(15, TimeUnit.SECONDS).until(() -> pings(1, 3));
        assertThat(((PacketPort) port(3).device()).boundIndex()).isEqualTo(uncheckedIndex(switchEnd(3)));
        assertThat(port(3).device().pollFd()).isEqualTo(fd);
        assertThat(pings(3, 2)).isTrue();
    }

    private static int uncheckedIndex(String name) {
        try {
            return NetDevice.index(name);
        } catch (NativeException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
