package io.tapswitch.tests.tunnel;

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
 * tcpdump writing a pcap on an underlay interface, and the IPv4/UDP/VXLAN fields of what it caught,
 * parsed from the bytes (not from tcpdump's text, which names VXLAN only on port 4789): so that a
 * test can assert the VNI, the DF bit and the absence of fragments on the wire itself.
 */
final class UnderlayCapture implements AutoCloseable {
    /**
     * One captured IPv4 packet; the UDP and VXLAN fields are -1 for a non-first fragment or a
     * non-UDP packet. {@code innerType} and {@code innerTci} are the inner frame's first EtherType
     * and, when that is a VLAN tag, its TCI (-1 otherwise).
     */
    record Packet(int ipLength, boolean dontFragment, boolean fragment, String source, String destination,
                  int sourcePort, int destinationPort, int udpChecksum, int vxlanFlags, int vni, int innerType,
                  int innerTci) {
    }

    private final Process process;
    private final Path file;

    private UnderlayCapture(Process process, Path file) {
        this.process = process;
        this.file = file;
    }

    /** Starts capturing on {@code ifname} in {@code ns} (null: this namespace); returns once tcpdump listens. */
    static UnderlayCapture start(Netns ns, String ifname, String... filter) throws IOException {
        Path file = Files.createTempFile("tsvx-underlay", ".pcap");
        List<String> argv = new ArrayList<>(List.of("tcpdump", "-n", "-U", "--immediate-mode", "-s", "256", "-i", ifname, "-w", file.toString()));
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
            throw new IllegalStateException("tcpdump did not start: " + said);
        }
        Thread drain = new Thread(() -> {
            try {
                err.transferTo(Writer.nullWriter());
            } catch (IOException ignored) {
                // the process ended
            }
        }, "tsvx-tcpdump-stderr");
        drain.setDaemon(true);
        drain.start();
        return new UnderlayCapture(p, file);
    }

    /** Stops tcpdump (letting it write out what it holds) and returns the IPv4 packets it caught. */
    List<Packet> stop() throws IOException, InterruptedException {
        Thread.sleep(300);
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
        return parse(Files.readAllBytes(file));
    }

    static List<Packet> parse(byte[] pcap) {
        ByteBuffer b = ByteBuffer.wrap(pcap);
        int magic = b.getInt(0);
        b.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int linktype = b.getInt(20);
        if (linktype != 1) {
            throw new IllegalStateException("expected an Ethernet capture, got link type " + linktype);
        }
        List<Packet> out = new ArrayList<>();
        int at = 24;
        while (at + 16 <= pcap.length) {
            int incl = b.getInt(at + 8);
            int frame = at + 16;
            at = frame + incl;
            ByteBuffer f = ByteBuffer.wrap(pcap, frame, Math.min(incl, pcap.length - frame)).slice().order(ByteOrder.BIG_ENDIAN);
            if (f.limit() < 34 || (f.getShort(12) & 0xffff) != 0x0800) {
                continue;
            }
            int ihl = (f.get(14) & 0xf) * 4;
            int ipLength = f.getShort(16) & 0xffff;
            int flagsFragment = f.getShort(20) & 0xffff;
            boolean df = (flagsFragment & 0x4000) != 0;
            boolean fragment = (flagsFragment & 0x2000) != 0 || (flagsFragment & 0x1fff) != 0;
            int protocol = f.get(23) & 0xff;
            String src = address(f, 26);
            String dst = address(f, 30);
            int udp = 14 + ihl;
            boolean firstUdp = protocol == 17 && (flagsFragment & 0x1fff) == 0 && f.limit() >= udp + 16;
            int inner = udp + 16;
            int innerType = firstUdp && f.limit() >= inner + 14 ? f.getShort(inner + 12) & 0xffff : -1;
            int innerTci = (innerType == 0x8100 || innerType == 0x88a8) && f.limit() >= inner + 16
                    ? f.getShort(inner + 14) & 0xffff : -1;
            out.add(new Packet(ipLength, df, fragment, src, dst,
                    firstUdp ? f.getShort(udp) & 0xffff : -1,
                    firstUdp ? f.getShort(udp + 2) & 0xffff : -1,
                    firstUdp ? f.getShort(udp + 6) & 0xffff : -1,
                    firstUdp ? f.get(udp + 8) & 0xff : -1,
                    firstUdp ? f.getInt(udp + 12) >>> 8 : -1, innerType, innerTci));
        }
        return out;
    }

    private static String address(ByteBuffer f, int at) {
        return (f.get(at) & 0xff) + "." + (f.get(at + 1) & 0xff) + "." + (f.get(at + 2) & 0xff) + "." + (f.get(at + 3) & 0xff);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(file);
    }
}
