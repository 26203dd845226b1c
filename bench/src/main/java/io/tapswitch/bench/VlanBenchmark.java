package io.tapswitch.bench;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanEncap;
import io.tapswitch.core.vlan.VlanSet;
import io.tapswitch.core.vlan.VlanTranslate;
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

import java.util.concurrent.TimeUnit;

/**
 * The VLAN steps of a frame: ingress classification (an untagged frame on an access port, a tagged
 * one on a trunk with an allowed list), the egress decision, and the in-place tag push and pop that
 * a frame crossing from an access port to a trunk and back costs. Push and pop run as a pair so the
 * frame ends each call as it began.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VlanBenchmark {
    private static final int VID = 20;

    private final VlanConfig access = VlanConfig.access(VID);
    private final VlanConfig trunk = VlanConfig.trunk(VlanSet.of(10, VID, 30, 4000));
    private Frame untagged;
    private Frame tagged;

    @Setup(Level.Trial)
    public void frames() {
        untagged = TestFrames.untagged(TestFrames.station(1), TestFrames.station(2), 0);
        tagged = TestFrames.tagged(TestFrames.station(1), TestFrames.station(2), VID, 0);
        untagged.vlan = VID;
        if (VlanTranslate.Classification.vlan(inputTrunkTagged()) != VID
                || VlanTranslate.Classification.vlan(inputAccessUntagged()) != VID) {
            throw new IllegalStateException("setup: frames not classified to VLAN " + VID);
        }
    }

    @Benchmark
    public long inputAccessUntagged() {
        return VlanTranslate.input(access, untagged.buffer(), untagged.frame(), untagged.length());
    }

    @Benchmark
    public long inputTrunkTagged() {
        return VlanTranslate.input(trunk, tagged.buffer(), tagged.frame(), tagged.length());
    }

    @Benchmark
    public int outputTrunk() {
        return VlanTranslate.output(trunk, VID);
    }

    @Benchmark
    public int pushThenPop() {
        VlanEncap.apply(untagged, VlanTranslate.EGRESS_TAGGED);
        VlanEncap.apply(untagged, VlanTranslate.EGRESS_UNTAGGED);
        return untagged.length();
    }
}
