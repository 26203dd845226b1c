package io.tapswitch.tests.port;

import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.Poll;
import io.tapswitch.core.sys.PollFds;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link Port} must do on a real kernel device, run once per implementation by a thin
 * subclass that says how its device and the device's kernel-side peer come to exist.
 *
 * <p>The peer is an interface in a network namespace of its own with an IPv4 address, so that each
 * round trip is proven by a real network stack answering: an ARP reply to an ARP request the port
 * sent, an echo reply carrying the payload of the echo request. Descriptor counts before and after
 * (jar files and {@code /proc} left out, since the JVM opens those on its own) show that neither
 * closing nor a failed open leaves anything behind. Every name created starts with {@code tspk}.
 */
abstract class PortContractIT {
    static final String PEER_IP = "198.18.7.1";
    static final String PORT_IP = "198.18.7.2";
    static final long PORT_MAC = Probes.mac("02:7a:73:70:6b:02");

    /** The port's device; {@code tspk}, the implementation's letter and a random suffix. */
    protected final String name = "tspk" + letter() + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 5);
    protected Netns ns;
    private final List<Port> opened = new ArrayList<>();

    /** One letter naming the implementation in device and namespace names. */
    protected abstract char letter();

    /** Makes what must exist before a port can open on {@code name}. */
    protected abstract void createDevice(String name, Netns ns);

    protected abstract Port open(String name) throws NativeException;

    /** Gives the port's device an addressed peer inside {@code ns}; returns that interface's name there. */
    protected abstract String connectPeer(String name, Netns ns);

    /** Takes the interface the port depends on down or brings it up again. */
    protected abstract void setLinkUp(String name, Netns ns, boolean up);

    /** Removes what {@link #createDevice} left in the root namespace; the namespace itself goes anyway. */
    protected abstract void removeDevice(String name);

    /** Opens that must fail, each with the exception it must throw. */
    protected abstract Map<String, Class<? extends Exception>> failingOpens(String name);

    /** Whether receive or send return errors while the interface is down (rather than just no frames). */
    protected abstract boolean reportsErrorsWhileDown();

    @BeforeEach
    void createNamespace() {
        Root.require();
        ns = Netns.create("tspk" + letter() + "ns" + name.substring(5));
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        createDevice(name, ns);
    }

    @AfterEach
    void cleanUp() {
        try {
            opened.forEach(Port::close);
            removeDevice(name);
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    /** Opens through the subclass and closes the port after the test whatever happens. */
    protected Port openTracked() throws NativeException {
        Port port = open(name);
        opened.add(port);
        return port;
    }

    @Test
    void closingIsIdempotentAndLeavesNoDescriptor() throws Exception {
        open(name).close();
        List<String> before = fdTargets();
        for (int i = 0; i < 100; i++) {
            Port port = open(name);
            assertThat(port.pollFd()).isNotNegative();
            assertThat(port.name()).isEqualTo(name);
            port.close();
            port.close();
            assertThat(port.pollFd()).isEqualTo(-1);
        }
        assertThat(fdTargets()).isEqualTo(before);
    }

    @Test
    void failedOpensLeaveNoDescriptor() throws Exception {
        Map<String, Class<? extends Exception>> failures = failingOpens(name);
        assertThat(failures).isNotEmpty();
        failures.forEach((bad, error) -> assertThatThrownBy(() -> open(bad)).as("open %s", bad).isInstanceOf(error));
        List<String> before = fdTargets();
        for (int i = 0; i < 20; i++) {
            failures.forEach((bad, error) -> assertThatThrownBy(() -> open(bad)).as("open %s", bad).isInstanceOf(error));
        }
        assertThat(fdTargets()).isEqualTo(before);
    }

    @Test
    void framesCrossTheKernelBothWays() throws Exception {
        Port port = openTracked();
        connectPeer(name, ns);
        byte[] request = arpRequest(0, 0);
        Exchange arp = exchange(port, request, isArpReply(0, 0), 5000);
        assertThat(arp.match()).as("ARP reply from %s", PEER_IP).isNotNull();
        assertThat(arp.seen()).as("the port's own request is never read back").noneMatch(f -> java.util.Arrays.equals(f, request));
        long peerMac = Probes.arpSender(arp.match(), 0, 0);

        byte[] payload = new byte[1400];
        new Random(7).nextBytes(payload);
        byte[] echo = Probes.echoRequest(peerMac, PORT_MAC, Probes.ipv4(PORT_IP), Probes.ipv4(PEER_IP), 0x7470, 1, payload);
        Exchange ping = exchange(port, echo,
                f -> Probes.isEchoReply(f, Probes.ipv4(PEER_IP), Probes.ipv4(PORT_IP), 0x7470, 1, payload), 5000);
        assertThat(ping.match()).as("echo reply with the same 1400-byte payload").isNotNull();
        assertThat(ping.errors()).isZero();
    }

    @Test
    void downThenUpWorksAgainWithoutReopening() throws Exception {
        Port port = openTracked();
        connectPeer(name, ns);
        assertThat(exchange(port, arpRequest(0, 0), isArpReply(0, 0), 5000).match()).isNotNull();
        int fd = port.pollFd();

        setLinkUp(name, ns, false);
        Exchange down = exchange(port, arpRequest(0, 0), isArpReply(0, 0), 2500);
        assertThat(down.match()).as("no answer while the link is down").isNull();
        if (reportsErrorsWhileDown()) {
            assertThat(down.errors()).as("errors reported while down").isPositive();
        }

        setLinkUp(name, ns, true);
        Exchange up = exchange(port, arpRequest(0, 0), isArpReply(0, 0), 10_000);
        assertThat(up.match()).as("answer once the link is up again").isNotNull();
        assertThat(port.pollFd()).isEqualTo(fd);
    }

    static byte[] arpRequest(int tpid, int tci) {
        return Probes.arpRequest(PORT_MAC, Probes.ipv4(PORT_IP), Probes.ipv4(PEER_IP), tpid, tci);
    }

    static Predicate<byte[]> isArpReply(int tpid, int vid) {
        return f -> Probes.isArp(f, 2, Probes.ipv4(PEER_IP), Probes.ipv4(PORT_IP), tpid, vid);
    }

    /**
     * What came back while a request was repeated: the first frame that {@code want} accepted (null
     * if none within the time), every frame read, and how many receive or send calls returned an
     * error.
     */
    record Exchange(byte[] match, List<byte[]> seen, int errors) {
    }

    /**
     * Sends {@code request} (unless null) every 250 ms and reads the port until a wanted frame
     * arrives or {@code millis} pass, answering the peer's ARP requests for {@link #PORT_IP}
     * meanwhile.
     */
    static Exchange exchange(Port port, byte[] request, Predicate<byte[]> want, long millis) {
        Frame out = new Frame(4);
        Frame in = new Frame(4);
        PollFds pollfd = new PollFds(1);
        List<byte[]> seen = new ArrayList<>();
        int errors = 0;
        long deadline = System.nanoTime() + millis * 1_000_000;
        long nextSend = 0;
        while (System.nanoTime() < deadline) {
            if (request != null && System.nanoTime() >= nextSend) {
                out.load(request);
                if (port.send(out) < 0) {
                    errors++;
                }
                nextSend = System.nanoTime() + 250_000_000L;
            }
            in.reset();
            int n = port.receive(in);
            if (n < 0) {
                errors++;
            }
            if (n <= 0) {
                pollfd.set(0, port.pollFd(), Poll.POLLIN);
                pollfd.poll(n < 0 ? 100 : 20);
                continue;
            }
            byte[] frame = in.toBytes();
            seen.add(frame);
            if (want.test(frame)) {
                return new Exchange(frame, seen, errors);
            }
            if (Probes.isArp(frame, 1, Probes.ipv4(PEER_IP), Probes.ipv4(PORT_IP), 0, 0)) {
                out.load(Probes.arpReply(PORT_MAC, Probes.ipv4(PORT_IP), Probes.arpSender(frame, 0, 0),
                        Probes.ipv4(PEER_IP), 0, 0));
                port.send(out);
            }
        }
        return new Exchange(null, seen, errors);
    }

    /** Sends {@code bytes} as a plain frame once and returns what {@link Port#send} returned. */
    static int sendOnce(Port port, byte[] bytes) {
        Frame out = new Frame(4);
        out.load(bytes);
        return port.send(out);
    }

    /** What this process's descriptors point at, jar files and {@code /proc} entries left out. */
    static List<String> fdTargets() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return "(closed while listing)";
                }
            }).filter(t -> !t.endsWith(".jar") && !t.startsWith("/proc/") && !t.equals("(closed while listing)"))
                    .map(t -> t.replaceAll("\\[\\d+\\]", "[]")).sorted().toList();
        }
    }
}
