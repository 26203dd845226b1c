package io.tapswitch.tests.tunnel;

import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.tunnel.TunnelEndpoint;
import io.tapswitch.core.tunnel.TunnelOptions;
import io.tapswitch.core.tunnel.VtepPort;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
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
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A datapath-level interop test of the VXLAN tunnel against the Linux kernel's vxlan device: a
 * {@link Switch} driven directly (until the agent's control plane learns about tunnels, which is
 * another part of the fabric work) with a {@link TunnelEndpoint}, the {@link VtepPort} of a kernel
 * VTEP and a TAP port whose netdev is a host namespace, exchanges real traffic with a host behind
 * a Linux bridge and a kernel vxlan device in a namespace of its own.
 *
 * <pre>
 *  [tsvx-h1: 198.18.211.1]──TAP (access VLAN 10)──[Switch]──tunnel 198.19.211.1──veth──198.19.211.3 [tsvx-k:
 *                                                       VTEP port tsvx-kv (trunk VLAN 10)        vx10 (VNI 10010) ── br0 198.18.211.2]
 * </pre>
 *
 * <p>What it proves crossed the wire: pings both ways; each side learning the other's MAC against
 * the right VTEP (our FDB on the VTEP port, the kernel's {@code bridge fdb} with our address);
 * VNI 10010 (VLAN 10 at the default base) and DF on every datagram, read from an underlay capture;
 * 1422-byte DF pings passing without a single IP fragment while 1423-byte ones are dropped and
 * counted; a TCP transfer in each direction arriving intact from a host whose TAP hands the switch
 * GSO super-frames; and datagrams of an unmapped VNI or from an unknown VTEP counted with their
 * reasons. The tunnel uses UDP port {@value #PORT}, not 4789, so that it cannot collide with any
 * other VTEP on the machine; the kernel device lives in its own namespace, where it holds that port.
 *
 * <p>The kernel side's underlay veth has its transmit checksum offload turned off, so that it puts
 * complete checksums "on the wire" as a real NIC does. With it on, a frame the kernel host sends
 * crosses the veth into the switch's namespace with its inner TCP checksum still partial (the
 * kernel keeps the "to be completed" mark on the packet across a veth, and no hardware ever
 * completes it); a kernel VTEP at the far end would honour the mark, but a UDP socket hands over
 * only bytes, so the switch would deliver a SYN-ACK with a bad checksum and TCP would never
 * connect. That is a property of veth underlays on one machine, not of VXLAN.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelVxlanIT {
    private static final int PORT = 47891;
    private static final String KERNEL_NS = "tsvx-k";
    private static final String HOST_NS = "tsvx-h1";
    private static final String UNDERLAY = "tsvx-u0";
    private static final String UNDERLAY_PEER = "tsvx-u1";
    private static final String TAP = "tsvx-t1";
    private static final String LOCAL = "198.19.211.1";
    private static final String KERNEL_VTEP = "198.19.211.3";
    /** A second address of the kernel namespace, sending VXLAN as a VTEP the switch has no port for. */
    private static final String STRANGER_VTEP = "198.19.211.5";
    private static final String HOST_IP = "198.18.211.1";
    private static final String KERNEL_HOST_IP = "198.18.211.2";
    private static final String HOST_MAC = "02:5a:11:00:00:01";
    private static final String KERNEL_HOST_MAC = "02:5a:11:00:00:02";
    private static final int VLAN = 10;
    private static final int VNI = 10010;

    private static Switch sw;
    private static TunnelEndpoint endpoint;
    private static VtepPort vtep;
    private static Netns kernel;
    private static Netns host;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        HostCommand.run(List.of("ip", "link", "del", UNDERLAY));
        HostCommand.run(List.of("ip", "link", "del", TAP));
        try {
            kernel = Netns.create(KERNEL_NS);
            host = Netns.create(HOST_NS);
            for (Netns ns : List.of(kernel, host)) {
                ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
                ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
            }
            HostCommand.check("ip", "link", "add", UNDERLAY, "type", "veth", "peer", "name", UNDERLAY_PEER);
            HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + UNDERLAY + ".disable_ipv6=1");
            kernel.adopt(UNDERLAY_PEER);
            HostCommand.check("ip", "addr", "add", LOCAL + "/24", "dev", UNDERLAY);
            HostCommand.check("ip", "link", "set", UNDERLAY, "up");
            kernel.configure(UNDERLAY_PEER, null, KERNEL_VTEP + "/24", null);
            kernel.exec("ethtool", "-K", UNDERLAY_PEER, "tx", "off");
            kernel.exec("ip", "addr", "add", STRANGER_VTEP + "/24", "dev", UNDERLAY_PEER);
            // The kernel VTEP, as NOTES-FABRIC builds one, with learning on so that it learns our
            // host's MAC against our address, and one flood entry: our VTEP.
            kernel.exec("ip", "link", "add", "vx10", "type", "vxlan", "id", Integer.toString(VNI), "dstport",
                    Integer.toString(PORT), "local", KERNEL_VTEP, "dev", UNDERLAY_PEER);
            kernel.exec("ip", "link", "add", "br0", "type", "bridge");
            kernel.exec("ip", "link", "set", "vx10", "master", "br0");
            kernel.exec("ip", "link", "set", "br0", "address", KERNEL_HOST_MAC);
            kernel.exec("ip", "link", "set", "vx10", "up");
            kernel.exec("ip", "link", "set", "br0", "up");
            kernel.exec("ip", "addr", "add", KERNEL_HOST_IP + "/24", "dev", "br0");
            kernel.exec("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx10", "dst", LOCAL);

            sw = new Switch(SwitchOptions.defaults().withName("tsvx"));
            endpoint = TunnelEndpoint.open("tsvx-vx", TunnelOptions.defaults(LOCAL).withPort(PORT));
            sw.addPort(endpoint, PortConfig.enabled("tsvx-vx"));
            vtep = endpoint.peer("tsvx-kv", TunnelOptions.parse(KERNEL_VTEP));
            sw.addPort(vtep, new PortConfig("tsvx-kv", true, VlanConfig.trunk(VlanSet.of(VLAN))));
            TapPort tap = TapPort.open(TAP, false, true);
            try {
                tap.setLinkUp(true);
            } catch (Exception e) {
                tap.close();
                throw e;
            }
            sw.addPort(tap, new PortConfig(TAP, true, VlanConfig.access(VLAN)));
            host.adopt(TAP);
            host.configure(TAP, HOST_MAC, HOST_IP + "/24", null);
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (sw != null) {
                sw.close();
            }
        } finally {
            try {
                if (host != null) {
                    host.close();
                }
            } finally {
                try {
                    if (kernel != null) {
                        kernel.close();
                    }
                } finally {
                    HostCommand.run(List.of("ip", "link", "del", UNDERLAY));
                }
            }
        }
    }

    private static PortStats stats(String port) {
        return sw.topology().port(sw.topology().idOf(port)).stats();
    }

    @Test
    @Order(1)
    void pingsCrossTheTunnelBothWays() {
        CommandResult out = host.run("ping", "-c", "3", "-i", "0.2", "-W", "2", KERNEL_HOST_IP);
        assertThat(out.output()).as("host -> kernel side").contains("3 received");
        CommandResult back = kernel.run("ping", "-c", "3", "-i", "0.2", "-W", "2", HOST_IP);
        assertThat(back.output()).as("kernel side -> host").contains("3 received");
    }

    @Test
    @Order(2)
    void eachSideLearnsTheOthersMacAgainstTheRightVtep() {
        host.run("ping", "-c", "1", "-W", "2", KERNEL_HOST_IP);
        int vtepId = sw.topology().idOf("tsvx-kv");
        assertThat(sw.fdb().lookup(VLAN, MacAddress.parse(KERNEL_HOST_MAC))).as("remote MAC on the VTEP's port").isEqualTo(vtepId);
        assertThat(sw.fdb().lookup(VLAN, MacAddress.parse(HOST_MAC))).isEqualTo(sw.topology().idOf(TAP));
        String fdb = kernel.exec("bridge", "fdb", "show", "dev", "vx10");
        assertThat(fdb.lines()).as(fdb).anyMatch(l -> l.startsWith(HOST_MAC) && l.contains("dst " + LOCAL));
    }

    @Test
    @Order(3)
    void theUnderlayCarriesTheMappedVniWithDfAndAFlowHashedSourcePort() throws Exception {
        List<UnderlayCapture.Packet> packets;
        try (UnderlayCapture capture = UnderlayCapture.start(null, UNDERLAY, "udp", "port", Integer.toString(PORT))) {
            host.run("ping", "-c", "3", "-i", "0.2", "-W", "2", KERNEL_HOST_IP);
            packets = capture.stop();
        }
        List<UnderlayCapture.Packet> ours = packets.stream().filter(p -> p.source().equals(LOCAL)).toList();
        List<UnderlayCapture.Packet> theirs = packets.stream().filter(p -> p.source().equals(KERNEL_VTEP)).toList();
        assertThat(ours).as("%s", packets).hasSizeGreaterThanOrEqualTo(3);
        assertThat(theirs).as("%s", packets).hasSizeGreaterThanOrEqualTo(3);
        assertThat(ours).allSatisfy(p -> {
            assertThat(p.vni()).isEqualTo(VNI);
            assertThat(p.vxlanFlags()).isEqualTo(0x08);
            assertThat(p.dontFragment()).as("DF").isTrue();
            assertThat(p.destinationPort()).isEqualTo(PORT);
            assertThat(p.sourcePort()).isBetween(49152, 65535);
            // No assertion on the UDP checksum: the endpoint sends through UDP sockets with UDP
            // segmentation, which the kernel allows only with checksums on, so it fills one in (RFC
            // 7348 §5 says SHOULD be zero; receivers take either). On a veth it stays the partial
            // sum the capture sees here, and the kernel VTEP's answers above show it accepted.
        });
        assertThat(theirs).allSatisfy(p -> assertThat(p.vni()).isEqualTo(VNI));
    }

    @Test
    @Order(4)
    void dfPingsOf1422BytesPassUnfragmentedAndLargerOnesAreDroppedAndCounted() throws Exception {
        long tooBigBefore = stats("tsvx-kv").txDrops(Reason.DROP_TOO_BIG_FOR_UNDERLAY);
        List<UnderlayCapture.Packet> packets;
        try (UnderlayCapture capture = UnderlayCapture.start(null, UNDERLAY, "udp", "or", "(ip[6:2] & 0x3fff != 0)")) {
            CommandResult fits = host.run("ping", "-M", "do", "-s", "1422", "-c", "3", "-i", "0.2", "-W", "2", KERNEL_HOST_IP);
            assertThat(fits.output()).as("1422 bytes: an inner frame of 1464, a datagram of exactly 1500").contains("3 received");
            CommandResult tooBig = host.run("ping", "-M", "do", "-s", "1423", "-c", "3", "-i", "0.2", "-W", "1", KERNEL_HOST_IP);
            assertThat(tooBig.output()).contains("0 received");
            packets = capture.stop();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(stats("tsvx-kv").txDrops(Reason.DROP_TOO_BIG_FOR_UNDERLAY) - tooBigBefore).isEqualTo(3));
        assertThat(packets).as("no IP fragment on the underlay").noneMatch(UnderlayCapture.Packet::fragment);
        assertThat(packets).as("full-size datagrams, DF set").anyMatch(p -> p.ipLength() == 1500 && p.dontFragment());
        assertThat(packets).allMatch(p -> p.ipLength() <= 1500);
    }

    @Test
    @Order(5)
    void tcpTransfersFromAHostWithOffloadsArriveIntactBothWays() throws Exception {
        assertThat(host.exec("ethtool", "-k", TAP)).containsPattern("tcp-segmentation-offload: on");
        PortStats toKernel = stats("tsvx-kv");
        long packetsBefore = toKernel.txPackets();
        long bytesBefore = toKernel.txBytes();
        transfer(host, kernel, KERNEL_HOST_IP, 5001);
        long packets = toKernel.txPackets() - packetsBefore;
        long bytes = toKernel.txBytes() - bytesBefore;
        assertThat(bytes / Math.max(1, packets)).as("the TAP handed over GSO super-frames (%d bytes in %d frames),"
                + " which the VTEP port segmented", bytes, packets).isGreaterThan(1514);
        assertThat(toKernel.txDrops(Reason.DROP_OFFLOAD_UNSUPPORTED)).isZero();
        transfer(kernel, host, HOST_IP, 5002);
    }

    /** Sends 8 MB from {@code from} to a listener in {@code to} and compares digests. */
    private static void transfer(Netns from, Netns to, String toAddress, int port) throws Exception {
        Path dir = Files.createTempDirectory("tsvx-tcp");
        Path sent = dir.resolve("sent.bin");
        Path received = dir.resolve("received.bin");
        byte[] data = new byte[8 * 1024 * 1024];
        new Random(port).nextBytes(data);
        Files.write(sent, data);
        Process server = null;
        try {
            server = new ProcessBuilder(to.inside("nc", "-l", "-p", Integer.toString(port)))
                    .redirectOutput(received.toFile()).start();
            Listening.awaitTcp(to, port);
            Process client = new ProcessBuilder(from.inside("nc", "-N", toAddress, Integer.toString(port)))
                    .redirectInput(sent.toFile()).start();
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("client finished").isTrue();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("server finished").isTrue();
            assertThat(Files.size(received)).isEqualTo(data.length);
            assertThat(sha256(received)).isEqualTo(sha256(sent));
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            Files.deleteIfExists(sent);
            Files.deleteIfExists(received);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    @Order(6)
    void datagramsOfAnUnmappedVniOrFromAnUnknownVtepAreCountedWithTheirReasons() {
        PortStats tunnel = stats("tsvx-vx");
        long unknownVni = tunnel.decisions(Reason.DROP_UNKNOWN_VNI);
        long unknownVtep = tunnel.decisions(Reason.DROP_UNKNOWN_VTEP);
        try {
            // VNI 99999 is no VLAN's at base 10000: a kernel device floods its ARP requests to us.
            kernel.exec("ip", "link", "add", "vx99", "type", "vxlan", "id", "99999", "dstport", Integer.toString(PORT),
                    "local", KERNEL_VTEP, "dev", UNDERLAY_PEER, "nolearning");
            // VNI 10020 is VLAN 20's, but sent from an address that has no VTEP port here.
            kernel.exec("ip", "link", "add", "vx20", "type", "vxlan", "id", "10020", "dstport", Integer.toString(PORT),
                    "local", STRANGER_VTEP, "dev", UNDERLAY_PEER, "nolearning");
            for (String dev : List.of("vx99", "vx20")) {
                kernel.exec("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", dev, "dst", LOCAL);
                kernel.exec("ip", "link", "set", dev, "up");
            }
            kernel.exec("ip", "addr", "add", "198.18.212.1/24", "dev", "vx99");
            kernel.exec("ip", "addr", "add", "198.18.213.1/24", "dev", "vx20");
            kernel.run("ping", "-c", "2", "-i", "0.2", "-W", "1", "198.18.212.9");
            kernel.run("ping", "-c", "2", "-i", "0.2", "-W", "1", "198.18.213.9");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(tunnel.decisions(Reason.DROP_UNKNOWN_VNI) - unknownVni).isPositive();
                assertThat(tunnel.decisions(Reason.DROP_UNKNOWN_VTEP) - unknownVtep).isPositive();
            });
            assertThat(sw.fdb().entries()).as("nothing learned from them").allMatch(e -> e.vlan() == VLAN);
        } finally {
            kernel.run("ip", "link", "del", "vx99");
            kernel.run("ip", "link", "del", "vx20");
        }
    }

    @Test
    @Order(7)
    void closingLeavesNoNamespaceLinkOrThreadBehind() {
        List<Thread> threads = sw.threads();
        assertThat(threads).allMatch(Thread::isAlive);
        stop();
        sw = null;
        kernel = null;
        host = null;
        assertThat(threads).noneMatch(Thread::isAlive);
        assertThat(Netns.exists(KERNEL_NS)).isFalse();
        assertThat(Netns.exists(HOST_NS)).isFalse();
        assertThat(HostCommand.run(List.of("ip", "link", "show", UNDERLAY)).succeeded()).isFalse();
        assertThat(HostCommand.run(List.of("ip", "link", "show", TAP)).succeeded()).isFalse();
        assertThat(endpoint.pollFd()).as("the endpoint's sockets are closed").isEqualTo(-1);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
