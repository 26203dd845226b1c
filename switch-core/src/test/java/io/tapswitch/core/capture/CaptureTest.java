package io.tapswitch.core.capture;

import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.offload.Packet;
import io.tapswitch.core.port.MemoryPort;
import io.tapswitch.core.vlan.VlanConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaptureTest {
    private static final long H1 = mac("02:00:00:00:00:01");
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");

    private Switch sw;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    @BeforeEach
    void setUp() {
        sw = new Switch(SwitchOptions.defaults());
        for (String n : List.of("p1", "p2", "mon")) {
            sw.addPassivePort(new MemoryPort(n), PortConfig.enabled(n));
        }
        sw.addPassivePort(new MemoryPort("acc"), new PortConfig("acc", true, VlanConfig.access(10)));
    }

    @AfterEach
    void tearDown() {
        sw.close();
    }

    private void send(String port, byte[] bytes) {
        frame.load(bytes);
        frame.inPort = sw.topology().idOf(port);
        sw.process(frame);
    }

    /** A parsed pcap: magic and records (captured bytes, original length, seconds). */
    record Pcap(int magic, int snaplen, int linktype, List<byte[]> frames, List<Integer> lengths, List<Long> seconds) {
        static Pcap parse(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int magic = b.getInt();
            b.getShort();
            b.getShort();
            b.getInt();
            b.getInt();
            int snaplen = b.getInt();
            int linktype = b.getInt();
            List<byte[]> frames = new ArrayList<>();
            List<Integer> lengths = new ArrayList<>();
            List<Long> seconds = new ArrayList<>();
            while (b.remaining() >= 16) {
                seconds.add(b.getInt() & 0xffffffffL);
                b.getInt();
                int incl = b.getInt();
                lengths.add(b.getInt());
                byte[] data = new byte[incl];
                b.get(data);
                frames.add(data);
            }
            return new Pcap(magic, snaplen, linktype, frames, lengths, seconds);
        }
    }

    @Test
    void capturesAPortInBothDirectionsAsOnItsWire() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Capture c = sw.startCapture(CaptureSpec.of("acc", 2), out);
        byte[] fromTrunk = Frames.tagged(BCAST, mac("02:00:00:00:00:07"), 0x8100, 10, 0x0806, 46);
        send("p1", fromTrunk);
        byte[] fromAccess = Frames.ethernet(BCAST, H1, 0x0806, 46);
        send("acc", fromAccess);
        assertThat(c.await(5, TimeUnit.SECONDS)).isTrue();
        Pcap pcap = Pcap.parse(out.toByteArray());
        assertThat(pcap.magic()).isEqualTo(PcapWriter.MAGIC_MICROS);
        assertThat(pcap.linktype()).isEqualTo(1);
        assertThat(pcap.snaplen()).isEqualTo(65535);
        assertThat(pcap.frames()).hasSize(2);
        assertThat(pcap.frames().get(0)).isEqualTo(Frames.ethernet(BCAST, mac("02:00:00:00:00:07"), 0x0806, 46));
        assertThat(pcap.frames().get(1)).isEqualTo(fromAccess);
        long now = System.currentTimeMillis() / 1000;
        assertThat(pcap.seconds().get(0)).isBetween(now - 5, now + 1);
        assertThat(sw.captures()).isEmpty();
    }

    @Test
    void aGsoFrameIsCapturedAsTheSegmentsAWireWouldCarry() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Capture c = sw.startCapture(CaptureSpec.of("p2", 3), out);
        Packet p = Packet.tcp4().payload(3000).gso(VnetHeader.GSO_TCPV4, 1000);
        p.load(frame);
        frame.inPort = sw.topology().idOf("p1");
        sw.process(frame);
        assertThat(c.await(5, TimeUnit.SECONDS)).isTrue();
        Pcap pcap = Pcap.parse(out.toByteArray());
        assertThat(pcap.frames()).hasSize(3);
        List<byte[]> payloads = new ArrayList<>();
        for (byte[] s : pcap.frames()) {
            assertThat(s).hasSize(54 + 1000);
            assertThat(Packet.fold(Packet.sum(s, 34, s.length - 34, Packet.pseudo(s, 14, false, 6, s.length - 34))))
                    .as("a reader sees a good TCP checksum").isEqualTo(0xffff);
            payloads.add(Arrays.copyOfRange(s, 54, s.length));
        }
        assertThat(Packet.concat(payloads)).isEqualTo(p.payloadBytes());
    }

    @Test
    void aPartialChecksumFrameIsCapturedComplete() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Capture c = sw.startCapture(CaptureSpec.of("p1", 1), out);
        Packet p = Packet.udp4().payload(200).needsChecksum();
        p.load(frame);
        frame.inPort = sw.topology().idOf("p1");
        sw.process(frame);
        assertThat(c.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Pcap.parse(out.toByteArray()).frames()).containsExactly(Packet.udp4().payload(p.payloadBytes()).build());
    }

    @Test
    void capturesAMirrorWithNanosecondsAndSnaplen() throws Exception {
        sw.addMirror(new MirrorConfig("m", Set.of("p1"), Set.of(), null, false, "mon", 0, 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Capture c = sw.startCapture(CaptureSpec.of("m", 1).withNanos(true).withSnaplen(20), out);
        byte[] f = Frames.ethernet(BCAST, H1, 0x0800, 100);
        send("p2", Frames.ethernet(BCAST, mac("02:00:00:00:00:02"), 0x0800, 100));
        send("p1", f);
        assertThat(c.await(5, TimeUnit.SECONDS)).isTrue();
        Pcap pcap = Pcap.parse(out.toByteArray());
        assertThat(pcap.magic()).isEqualTo(PcapWriter.MAGIC_NANOS);
        assertThat(pcap.frames()).hasSize(1);
        assertThat(pcap.frames().get(0)).isEqualTo(Arrays.copyOf(f, 20));
        assertThat(pcap.lengths().get(0)).isEqualTo(f.length);
    }

    @Test
    void aSlowReaderCostsDroppedCopiesNotForwarding() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() {
            private int headerBytes;

            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (headerBytes < PcapWriter.GLOBAL_HEADER_LEN) {
                    headerBytes += len;
                    return;
                }
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        };
        Capture c = sw.startCapture(CaptureSpec.of("p2", 0).withQueueBytes(70_000), stuck);
        long start = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            send("p1", Frames.ethernet(BCAST, H1, 0x0800, 1000));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).isLessThan(5_000);
        assertThat(c.dropped()).isGreaterThan(1900);
        assertThat(sw.topology().port(sw.topology().idOf("p2")).stats().txPackets()).isEqualTo(2000);
        release.countDown();
        c.close();
        assertThat(c.isDone()).isTrue();
    }

    /**
     * A client treats the pcap header as "the capture runs" and starts its traffic then; a frame
     * sent the moment the header is out must be in the file, which holds only if the capture was
     * on the frame path before the header was written.
     */
    @Test
    void aFrameSentAsSoonAsTheHeaderIsOutIsCaptured() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            private boolean sent;

            @Override
            public synchronized void flush() {
                if (!sent && size() > 0) {
                    sent = true;
                    send("acc", Frames.ethernet(BCAST, H1, 0x0806, 46));
                }
            }
        };
        Capture c = sw.startCapture(CaptureSpec.of("acc", 1).withDuration(Duration.ofSeconds(5)), out);
        assertThat(c.await(6, TimeUnit.SECONDS)).isTrue();
        assertThat(c.frames()).isEqualTo(1);
        assertThat(Pcap.parse(out.toByteArray()).frames()).containsExactly(Frames.ethernet(BCAST, H1, 0x0806, 46));
    }

    @Test
    void aHeaderTheOutputRefusesLeavesNoCaptureBehind() {
        OutputStream refusing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("client went away");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("client went away");
            }
        };
        assertThatThrownBy(() -> sw.startCapture(CaptureSpec.of("acc", 1), refusing)).hasMessageContaining("went away");
        assertThat(sw.captures()).isEmpty();
    }

    @Test
    void endsAtItsDuration() throws Exception {
        Capture c = sw.startCapture(CaptureSpec.of("p1", 0).withDuration(Duration.ofMillis(300)), new ByteArrayOutputStream());
        assertThat(c.await(3, TimeUnit.SECONDS)).isTrue();
        assertThat(sw.captures()).isEmpty();
    }

    @Test
    void endsWhenItsPortOrMirrorIsRemoved() throws Exception {
        Capture onPort = sw.startCapture(CaptureSpec.of("p2", 0), new ByteArrayOutputStream());
        sw.addMirror(new io.tapswitch.core.engine.MirrorConfig("m", java.util.Set.of("p1"), java.util.Set.of(), null, false,
                "mon", 0, 0));
        Capture onMirror = sw.startCapture(CaptureSpec.of("m", 0), new ByteArrayOutputStream());
        sw.removePort("p2");
        assertThat(onPort.await(3, TimeUnit.SECONDS)).isTrue();
        assertThat(onMirror.isDone()).isFalse();
        sw.removeMirror("m");
        assertThat(onMirror.await(3, TimeUnit.SECONDS)).isTrue();
        assertThat(sw.captures()).isEmpty();
    }

    @Test
    void rejectsUnknownTargetsAndBadLimits() {
        assertThatThrownBy(() -> sw.startCapture(CaptureSpec.of("nope", 1), new ByteArrayOutputStream()))
                .hasMessageContaining("no port or mirror named 'nope'");
        assertThatThrownBy(() -> CaptureSpec.of("p1", -1)).hasMessageContaining("count:");
        assertThatThrownBy(() -> CaptureSpec.of("p1", 1).withSnaplen(0)).hasMessageContaining("snaplen:");
    }
}
