package io.tapswitch.tests.fabric;

import io.tapswitch.agent.host.Netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump writing a pcap on one interface (of a namespace, or of the root namespace), and what it
 * caught decoded from the bytes: Ethernet frames, and on the underlay the outer IPv4/UDP and VXLAN
 * fields with the inner frame, so that a test asserts on what crossed that wire (VNIs, DF,
 * fragments, who sent a copy of which frame to whom) rather than on tcpdump's text.
 */
final class Capture implements AutoCloseable {
    /**
     * An Ethernet frame's addresses; for IPv4 its source and destination and protocol, for ARP the
     * sender's and target's protocol addresses (protocol -1); null addresses otherwise.
     */
    record Eth(String dst, String src, int type, String ipSrc, String ipDst, int protocol) {
        boolean broadcast() {
            return "ff:ff:ff:ff:ff:ff".equals(dst);
        }

        /** Whether either IPv4 address (or ARP protocol address) starts with {@code prefix}. */
        boolean mentions(String prefix) {
            return ipSrc != null && ipSrc.startsWith(prefix) || ipDst != null && ipDst.startsWith(prefix);
        }
    }

    /**
     * One IPv4 packet on the underlay. The UDP and VXLAN fields are -1, and {@code inner} null, for
     * a non-first fragment or a packet that is not UDP.
     */
    record Outer(int ipLength, boolean dontFragment, boolean fragment, String src, String dst, int protocol,
                 int srcPort, int dstPort, int udpChecksum, int vxlanFlags, int vni, Eth inner) {
        /** The reserved VNI of the agents' tunnel health probes. */
        static final int PROBE_VNI = 0xFFFFFF;

        boolean vxlan() {
            return vni >= 0;
        }

        boolean probe() {
            return vni == PROBE_VNI;
        }
    }

    private final Process process;
    private final Path file;
    private final String where;

    private Capture(Process process, Path file, String where) {
        this.process = process;
        this.file = file;
        this.where = where;
    }

    /** Starts capturing on {@code ifname} in {@code ns} (null: the root namespace); returns once tcpdump listens. */
    static Capture start(Netns ns, String ifname, String... filter) throws IOException {
        Path file = Files.createTempFile("tsf-capture", ".pcap");
        List<String> argv = new ArrayList<>(List.of("tcpdump", "-n", "-U", "--immediate-mode", "-s", "256", "-i", ifname,
                "-w", file.toString()));
        argv.addAll(List.of(filter));
        List<String> full = ns == null ? argv : ns.inside(argv.toArray(String[]::new));
        Process p = new ProcessBuilder(full).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder said = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            said.append(line).append('\n');
            if (line.contains("listening on")) {
                break;
            }
        }
        if (line == null) {
            p.destroyForcibly();
            Files.deleteIfExists(file);
            throw new IllegalStateException("tcpdump on " + ifname + " did not start: " + said);
        }
        Thread drain = new Thread(() -> {
            try {
                err.transferTo(Writer.nullWriter());
            } catch (IOException ignored) {
                // the process ended
            }
        }, "tsf-tcpdump-stderr");
        drain.setDaemon(true);
        drain.start();
        return new Capture(p, file, (ns == null ? "" : ns.name() + ":") + ifname);
    }

    /** Where this capture listens, {@code namespace:interface}. */
    String where() {
        return where;
    }

    /** Stops tcpdump (letting it write out what it holds) and returns the raw frames it caught. */
    List<byte[]> stop() throws IOException, InterruptedException {
        Thread.sleep(300);
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        return frames(Files.readAllBytes(file));
    }

    /** Stops and decodes every frame's Ethernet header. */
    List<Eth> stopEthernet() throws IOException, InterruptedException {
        return stop().stream().map(f -> eth(ByteBuffer.wrap(f).order(ByteOrder.BIG_ENDIAN), 0)).toList();
    }

    /** Stops and decodes the IPv4 packets (other frames are left out). */
    List<Outer> stopUnderlay() throws IOException, InterruptedException {
        List<Outer> out = new ArrayList<>();
        for (byte[] f : stop()) {
            Outer o = outer(f);
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    static List<byte[]> frames(byte[] pcap) {
        List<byte[]> out = new ArrayList<>();
        if (pcap.length < 24) {
            return out;
        }
        ByteBuffer b = ByteBuffer.wrap(pcap);
        int magic = b.getInt(0);
        b.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int linktype = b.getInt(20);
        if (linktype != 1) {
            throw new IllegalStateException("expected an Ethernet capture, got link type " + linktype);
        }
        int at = 24;
        while (at + 16 <= pcap.length) {
            int incl = b.getInt(at + 8);
            int frame = at + 16;
            int len = Math.min(incl, pcap.length - frame);
            byte[] f = new byte[len];
            System.arraycopy(pcap, frame, f, 0, len);
            out.add(f);
            at = frame + incl;
        }
        return out;
    }

    /** The Ethernet header (and IPv4 or ARP addresses) of the frame starting at {@code at}; null when too short. */
    static Eth eth(ByteBuffer f, int at) {
        if (f.limit() < at + 14) {
            return null;
        }
        String dst = mac(f, at);
        String src = mac(f, at + 6);
        int type = f.getShort(at + 12) & 0xffff;
        int l3 = at + 14;
        if (type == 0x8100 && f.limit() >= at + 18) {
            type = f.getShort(at + 16) & 0xffff;
            l3 = at + 18;
        }
        if (type == 0x0800 && f.limit() >= l3 + 20) {
            return new Eth(dst, src, type, ip(f, l3 + 12), ip(f, l3 + 16), f.get(l3 + 9) & 0xff);
        }
        if (type == 0x0806 && f.limit() >= l3 + 28) {
            return new Eth(dst, src, type, ip(f, l3 + 14), ip(f, l3 + 24), -1);
        }
        return new Eth(dst, src, type, null, null, -1);
    }

    /** The underlay fields of an Ethernet frame carrying IPv4; null for other frames. */
    static Outer outer(byte[] frame) {
        ByteBuffer f = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        if (f.limit() < 34 || (f.getShort(12) & 0xffff) != 0x0800) {
            return null;
        }
        int ihl = (f.get(14) & 0xf) * 4;
        int ipLength = f.getShort(16) & 0xffff;
        int flagsFragment = f.getShort(20) & 0xffff;
        boolean df = (flagsFragment & 0x4000) != 0;
        boolean fragment = (flagsFragment & 0x2000) != 0 || (flagsFragment & 0x1fff) != 0;
        int protocol = f.get(23) & 0xff;
        int udp = 14 + ihl;
        boolean firstUdp = protocol == 17 && (flagsFragment & 0x1fff) == 0 && f.limit() >= udp + 16;
        if (!firstUdp) {
            return new Outer(ipLength, df, fragment, ip(f, 26), ip(f, 30), protocol, -1, -1, -1, -1, -1, null);
        }
        return new Outer(ipLength, df, fragment, ip(f, 26), ip(f, 30), protocol, f.getShort(udp) & 0xffff,
                f.getShort(udp + 2) & 0xffff, f.getShort(udp + 6) & 0xffff, f.get(udp + 8) & 0xff,
                f.getInt(udp + 12) >>> 8, eth(f, udp + 16));
    }

    private static String mac(ByteBuffer f, int at) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", f.get(at + i) & 0xff));
        }
        return s.toString();
    }

    private static String ip(ByteBuffer f, int at) {
        return (f.get(at) & 0xff) + "." + (f.get(at + 1) & 0xff) + "." + (f.get(at + 2) & 0xff) + "." + (f.get(at + 3) & 0xff);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(file);
    }
}
