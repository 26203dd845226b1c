package io.tapswitch.tests.reliability;

import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent killed with SIGKILL and started again, as a separate process running
 * {@code tapswitch run --config FILE}. Its config has two {@code netdev} ports on veth pairs to
 * namespace hosts and one {@code tap} port whose netdev stays in the root namespace.
 *
 * <p>A TAP the switch created is persistent while open, so after {@code kill -9} it is still there,
 * with the same ifindex; the restarted agent must attach to it by name rather than create a new
 * one, and forwarding must work again through every port. An orderly stop (SIGTERM) afterwards must
 * remove the TAP. The TAP port is checked end to end by an ARP exchange: the test writes an ARP
 * request into the TAP's netdev, the switch forwards it to host 1, and host 1's reply must come
 * back out of the same netdev.
 */
class CrashRecoveryIT {
    private static final String PREFIX = "tsrc";
    private static final String TAP = PREFIX + "-tap";
    private static final String IP1 = "198.18.6.1";
    private static final String IP2 = "198.18.6.2";
    private static final long PROBE_MAC = 0x02_00_00_06_00_99L;
    private static final String PROBE_IP = "198.18.6.99";
    private static final List<Netns> hosts = new ArrayList<>();
    private static final List<Process> agents = new ArrayList<>();
    private static Path dir;
    private static Path config;

    private static String veth(int i) {
        return PREFIX + "-v" + i;
    }

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        dir = Files.createTempDirectory("tsrc");
        for (int i = 1; i <= 2; i++) {
            Netns ns = Netns.create(PREFIX + "-h" + i);
            hosts.add(ns);
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
            HostCommand.check("ip", "link", "add", veth(i), "type", "veth", "peer", "name", veth(i) + "e", "netns", ns.name());
            HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + veth(i) + ".disable_ipv6=1");
            ns.configure(veth(i) + "e", "02:00:00:06:00:0" + i, "198.18.6." + i + "/24", null);
        }
        config = dir.resolve("switch.yaml");
        Files.writeString(config, """
                name: tsrc
                http:
                  host: 127.0.0.1
                  port: 0
                ports:
                  - name: %s
                    kind: netdev
                  - name: %s
                    kind: netdev
                  - name: %s
                    kind: tap
                    create: auto
                """.formatted(veth(1), veth(2), TAP));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (Process p : agents) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            for (String link : List.of(TAP, veth(1), veth(2))) {
                if (NetDevice.exists(link)) {
                    HostCommand.run(List.of("ip", "link", "del", link));
                }
            }
            hosts.forEach(Netns::close);
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    /** Starts {@code tapswitch run --config} in a new JVM and waits until its API listens. */
    private static Process startAgent(Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.tapswitch.agent.cli.Main", "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        agents.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("api: http")) {
            assertThat(p.isAlive()).as("agent running; log:\n" + Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("agent up within 60 s; log:\n" + Files.readString(log)).isLessThan(deadline);
            Thread.sleep(100);
        }
        return p;
    }

    private static int ifindex(String link) throws Exception {
        return Integer.parseInt(Files.readString(Path.of("/sys/class/net", link, "ifindex")).trim());
    }

    private static boolean forwards() {
        return FaultLab.pings(hosts.get(0), IP2, 2) && FaultLab.pings(hosts.get(1), IP1, 2);
    }

    private static void awaitForwarding(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!forwards()) {
            assertThat(System.nanoTime()).as("h1 <-> h2 within 20 s; agent log:\n" + Files.readString(log))
                    .isLessThan(deadline);
        }
    }

    @Test
    void aKilledAgentRestartsOnTheSameTapAndAnOrderlyStopRemovesIt() throws Exception {
        Path log1 = dir.resolve("agent1.log");
        Process first = startAgent(log1);
        awaitForwarding(log1);
        assertThat(tapRoundTrip()).as("ARP through the TAP port, first run").isTrue();
        int index = ifindex(TAP);
        assertThat(Files.readString(log1)).contains("port " + TAP + ": created TAP");

        long killedAt = System.nanoTime();
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).as("killed").isTrue();
        assertThat(first.exitValue()).as("exit status of SIGKILL").isEqualTo(137);
        assertThat(NetDevice.exists(TAP)).as("the TAP outlives a SIGKILL").isTrue();
        assertThat(ifindex(TAP)).isEqualTo(index);

        Path log2 = dir.resolve("agent2.log");
        Process second = startAgent(log2);
        awaitForwarding(log2);
        long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        String text2 = Files.readString(log2);
        assertThat(text2).contains("port " + TAP + ": attached to existing TAP").doesNotContain("port " + TAP + ": created");
        assertThat(ifindex(TAP)).as("the same TAP, not a new one").isEqualTo(index);
        assertThat(tapRoundTrip()).as("ARP through the TAP port after the restart").isTrue();
        System.out.printf("CrashRecoveryIT: kill -9, restart, TAP %s re-attached (ifindex %d unchanged), h1<->h2 and"
                + " TAP forwarding back %d ms after the kill%n", TAP, index, recoveredMillis);

        second.destroy();
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (NetDevice.exists(TAP) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(NetDevice.exists(TAP)).as("TAP removed by the orderly stop; log:\n" + Files.readString(log2)).isFalse();
        assertThat(NetDevice.exists(veth(1))).as("netdev ports are not the switch's to remove").isTrue();
        System.out.printf("CrashRecoveryIT: SIGTERM: exit status %d, TAP removed%n", second.exitValue());
    }

    /**
     * Writes an ARP request for host 1's address into the TAP's netdev (so the switch reads it from
     * the TAP) and waits up to 5 s for host 1's reply to come out of that netdev, repeating the
     * request every 500 ms.
     */
    private static boolean tapRoundTrip() throws Exception {
        try (PacketPort port = PacketPort.open(TAP, false)) {
            Frame out = new Frame(4);
            out.load(arpRequest());
            Frame in = new Frame(4);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long nextSend = 0;
            while (System.nanoTime() < deadline) {
                if (System.nanoTime() >= nextSend) {
                    port.send(out);
                    nextSend = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                }
                in.reset();
                int n = port.receive(in);
                if (n > 0 && isReplyFromHost1(in.toBytes())) {
                    return true;
                }
                if (n <= Port.NOTHING) {
                    Thread.sleep(5);
                }
            }
            return false;
        }
    }

    private static byte[] arpRequest() {
        ByteBuffer b = ByteBuffer.allocate(60);
        putMac(b, 0xffff_ffff_ffffL);
        putMac(b, PROBE_MAC);
        b.putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        putMac(b, PROBE_MAC);
        b.put(ip(PROBE_IP));
        putMac(b, 0);
        b.put(ip(IP1));
        return b.array();
    }

    private static boolean isReplyFromHost1(byte[] f) {
        if (f.length < 42 || (f[12] & 0xff) != 0x08 || (f[13] & 0xff) != 0x06 || f[21] != 2) {
            return false;
        }
        byte[] sender = ip(IP1);
        byte[] target = ip(PROBE_IP);
        for (int i = 0; i < 4; i++) {
            if (f[28 + i] != sender[i] || f[38 + i] != target[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ip(String dotted) {
        String[] p = dotted.split("\\.");
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (byte) Integer.parseInt(p[i]);
        }
        return out;
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putInt((int) (mac >>> 16));
        b.putShort((short) mac);
    }
}
