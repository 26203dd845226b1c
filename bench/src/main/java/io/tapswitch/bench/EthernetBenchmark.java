package io.tapswitch.bench;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Reading the Ethernet header out of a frame's direct buffer: the two MACs packed into longs and
 * the EtherType, each separately and the three together as the forwarding decision reads them.
 * These are the floor under every other datapath figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EthernetBenchmark {
    private ByteBuffer buf;
    private int eth;

    @Setup(Level.Trial)
    public void frame() {
        Frame frame = TestFrames.untagged(TestFrames.station(1), TestFrames.station(2), 0);
        buf = frame.buffer();
        eth = frame.frame();
        if (Ethernet.source(buf, eth) != TestFrames.station(2) || Ethernet.type(buf, eth) != Ethernet.ETH_P_IPV4) {
            throw new IllegalStateException("setup: header does not read back");
        }
    }

    @Benchmark
    public long source() {
        return Ethernet.source(buf, eth);
    }

    @Benchmark
    public long destination() {
        return Ethernet.destination(buf, eth);
    }

    @Benchmark
    public int type() {
        return Ethernet.type(buf, eth);
    }

    @Benchmark
    public void header(Blackhole bh) {
        bh.consume(Ethernet.destination(buf, eth));
        bh.consume(Ethernet.source(buf, eth));
        bh.consume(Ethernet.type(buf, eth));
    }
}
