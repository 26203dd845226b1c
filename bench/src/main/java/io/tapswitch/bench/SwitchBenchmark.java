package io.tapswitch.bench;

import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.MemoryPort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The whole per-frame work of a port thread minus the device: {@link Switch#process} of a 64-byte
 * frame whose destination is learned, so it decides, learns (refreshes) the source, counts, and
 * sends once, into a {@link MemoryPort#discarding discarding} {@link MemoryPort}: a real device would
 * measure the kernel, and a recording fake its own lock and copies, while this sink costs a field
 * increment, so what is timed is the switch's decision and bookkeeping. Its count is read after the
 * run, which also keeps the JIT from proving sends useless.
 *
 * <p>The shapes answer three questions: two ports and two stations is the best case (everything in
 * L1); eight ports with 8000 learned stations, each frame addressed to the next of them in turn,
 * shows what a realistic table costs; and 256 ports with the same 8000 stations, spread over all of
 * them, shows whether the per-frame cost stays flat as ports grow (issue 15 wants it within 10 % of
 * two ports: a switch for a rack of VMs must not slow down per frame because it has more of them).
 * The destination MAC is rewritten before every call in every shape, so they do the same work apart
 * from the table and the port count. Measured in one thread: the figure is frames per second per
 * forwarding core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SwitchBenchmark {
    /** The switch's size: ports, and stations learned behind the ports other than the sender's. */
    public enum Shape {
        TWO_PORTS(2, 1),
        EIGHT_PORTS_8000_MACS(8, 8000),
        PORTS_256_8000_MACS(256, 8000);

        final int ports;
        final int stations;

        Shape(int ports, int stations) {
            this.ports = ports;
            this.stations = stations;
        }
    }

    @Param
    public Shape shape;

    private Switch sw;
    private Frame frame;
    private long[] destinations;
    private int next;
    private final List<MemoryPort> devices = new ArrayList<>();

    @Setup(Level.Trial)
    public void build() {
        // Aging at its maximum: the destinations never send, and must stay learned for the whole run.
        sw = new Switch(SwitchOptions.defaults().withAgingMillis(MacTable.MAX_AGING_MILLIS));
        for (int p = 0; p < shape.ports; p++) {
            MemoryPort device = MemoryPort.discarding("tsb-p" + p);
            devices.add(device);
            sw.addPassivePort(device, PortConfig.enabled(device.name()));
        }
        long sender = TestFrames.station(shape.stations);
        destinations = new long[shape.stations];
        for (int s = 0; s < shape.stations; s++) {
            destinations[s] = TestFrames.station(s);
            sw.fdb().learn(0, destinations[s], 1 + s % (shape.ports - 1));
        }
        frame = TestFrames.untagged(destinations[0], sender, 0);
        for (int s = 0; s < shape.stations; s++) {
            Reason r = forwardNext();
            if (r != Reason.FORWARD_UNICAST) {
                throw new IllegalStateException("setup: station " + s + " was not forwarded but " + r);
            }
        }
    }

    @Benchmark
    public Reason process() {
        return forwardNext();
    }

    private Reason forwardNext() {
        Ethernet.writeMac(frame.buffer(), frame.frame() + Ethernet.DST, destinations[next]);
        if (++next == destinations.length) {
            next = 0;
        }
        return sw.process(frame);
    }

    @TearDown(Level.Trial)
    public void close() {
        long sent = devices.stream().mapToLong(MemoryPort::sentCount).sum();
        sw.close();
        if (sent == 0) {
            throw new IllegalStateException("no frame reached an egress port");
        }
    }
}
