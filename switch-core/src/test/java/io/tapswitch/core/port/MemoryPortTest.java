package io.tapswitch.core.port;

import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.sys.Poll;
import io.tapswitch.core.sys.PollFds;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-memory port fake: recording, discarding, and pollable by a running switch's threads. */
class MemoryPortTest {
    private static final long H1 = mac("02:00:00:00:00:01");
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");

    @Test
    void aRunningSwitchForwardsAFrameInjectedIntoOnePortToTheOther() throws Exception {
        try (Switch sw = new Switch(SwitchOptions.defaults())) {
            MemoryPort a = new MemoryPort("mem-a");
            MemoryPort b = new MemoryPort("mem-b");
            sw.addPort(a, PortConfig.enabled("mem-a"));
            sw.addPort(b, PortConfig.enabled("mem-b"));
            assertThat(sw.threads()).as("one event loop for both ports").hasSize(1);

            byte[] frame = Frames.ethernet(BCAST, H1, 0x0806, 46);
            a.inject(frame);
            List<byte[]> arrived = b.awaitSent(1, Duration.ofSeconds(10));

            assertThat(arrived).containsExactly(frame);
            assertThat(a.sent()).isEmpty();
            int in = sw.topology().idOf("mem-a");
            assertThat(sw.topology().port(in).stats().decisions(Reason.FLOOD_BROADCAST)).isEqualTo(1);
            assertThat(sw.fdb().lookup(0, H1)).isEqualTo(in);
        }
    }

    @Test
    void itsDescriptorIsReadableWhileInjectedFramesWait() {
        MemoryPort port = new MemoryPort("mem");
        try {
            PollFds fds = new PollFds(1);
            port.inject(Frames.ethernet(BCAST, H1, 0x0806, 46));
            port.inject(Frames.ethernet(BCAST, H1, 0x0806, 47));
            fds.set(0, port.pollFd(), Poll.POLLIN);
            assertThat(fds.poll(0)).as("frames injected before the first pollFd() count too").isEqualTo(1);

            Frame frame = new Frame(MacTable.MAX_PORTS);
            assertThat(port.receive(frame)).isEqualTo(60);
            fds.set(0, port.pollFd(), Poll.POLLIN);
            assertThat(fds.poll(0)).as("one frame still waits").isEqualTo(1);

            assertThat(port.receive(frame)).isEqualTo(61);
            fds.set(0, port.pollFd(), Poll.POLLIN);
            assertThat(fds.poll(0)).as("drained with the last frame").isZero();
            assertThat(port.receive(frame)).isEqualTo(Port.NOTHING);

            port.inject(Frames.ethernet(BCAST, H1, 0x0806, 46));
            fds.set(0, port.pollFd(), Poll.POLLIN);
            assertThat(fds.poll(0)).isEqualTo(1);
        } finally {
            port.close();
        }
    }

    @Test
    void closingClosesTheDescriptorOnce() {
        MemoryPort port = new MemoryPort("mem");
        int fd = port.pollFd();
        assertThat(Files.exists(Path.of("/proc/self/fd/" + fd))).isTrue();
        port.close();
        assertThat(port.isClosed()).isTrue();
        assertThat(port.pollFd()).isEqualTo(-1);
        assertThat(Files.exists(Path.of("/proc/self/fd/" + fd))).isFalse();
        port.close();
        assertThat(port.pollFd()).isEqualTo(-1);
    }

    @Test
    void aPortDrivenByHandOpensNoDescriptor() {
        MemoryPort port = new MemoryPort("mem");
        port.inject(Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(port.receive(new Frame(MacTable.MAX_PORTS))).isEqualTo(60);
        port.close();
        assertThat(port.isClosed()).isTrue();
    }

    @Test
    void aDiscardingPortOnlyCounts() {
        MemoryPort sink = MemoryPort.discarding("sink");
        Frame frame = new Frame(MacTable.MAX_PORTS);
        frame.load(Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(sink.send(frame)).isZero();
        assertThat(sink.send(frame)).isZero();
        assertThat(sink.sentCount()).isEqualTo(2);
        assertThat(sink.vnetHeader()).isTrue();
        assertThatThrownBy(sink::sent).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRecordingPortCountsWhatItKeeps() {
        MemoryPort port = new MemoryPort("mem", false);
        Frame frame = new Frame(MacTable.MAX_PORTS);
        byte[] bytes = Frames.ethernet(BCAST, H1, 0x0806, 46);
        frame.load(bytes);
        port.send(frame);
        assertThat(port.sent()).containsExactly(bytes);
        port.clearSent();
        assertThat(port.sent()).isEmpty();
        assertThat(port.sentCount()).isEqualTo(1);
        assertThat(port.vnetHeader()).isFalse();
    }
}
