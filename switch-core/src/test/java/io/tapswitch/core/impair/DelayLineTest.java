package io.tapswitch.core.impair;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import org.junit.jupiter.api.Test;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The delay line on its own, its clock driven by the test (nanoseconds passed in). */
class DelayLineTest {
    private static final long MS = 1_000_000L;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);
    private final Frame out = new Frame(MacTable.MAX_PORTS);

    private static Impairment delay(double ms, double jitter) {
        return new Impairment(ms, jitter, 0, 0, 0, 0);
    }

    private void load(int payload, int marker) {
        byte[] bytes = Frames.ethernet(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01"), 0x0800, payload);
        bytes[20] = (byte) marker;
        bytes[21] = (byte) (marker >> 8);
        frame.load(bytes);
    }

    private int marker(Frame f) {
        byte[] b = f.toBytes();
        return (b[20] & 0xff) | (b[21] & 0xff) << 8;
    }

    @Test
    void aDelayedFrameIsDueAtItsTimeAndNotBefore() {
        DelayLine line = DelayLine.sizedFor(delay(20, 0));
        load(100, 7);
        frame.vlan = 10;
        frame.pcp = 5;
        frame.tagged = true;
        frame.tpid = 0x88a8;
        frame.inPort = 3;
        assertThat(line.offer(frame, 1000 * MS, delay(20, 0), new Xorshift(1))).isZero();
        assertThat(line.due(1020 * MS - 1)).isFalse();
        assertThat(line.due(1020 * MS)).isTrue();
        assertThat(line.nextDue()).isEqualTo(1020 * MS);
        line.pop(out);
        assertThat(out.toBytes()).isEqualTo(frame.toBytes());
        assertThat(out.vlan).isEqualTo(10);
        assertThat(out.pcp).isEqualTo(5);
        assertThat(out.tagged).isTrue();
        assertThat(out.tpid).isEqualTo(0x88a8);
        assertThat(out.inPort).isEqualTo(3);
        assertThat(line.isEmpty()).isTrue();
        assertThat(line.due(5000 * MS)).isFalse();
    }

    @Test
    void jitterStaysWithinItsBoundsAndVaries() {
        Impairment spec = delay(20, 5);
        DelayLine line = DelayLine.sizedFor(spec);
        Xorshift random = new Xorshift(42);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 2000; i++) {
            long now = i * 1000 * MS;
            load(60, i);
            assertThat(line.offer(frame, now, spec, random)).isZero();
            long delay = line.nextDue() - now;
            min = Math.min(min, delay);
            max = Math.max(max, delay);
            line.pop(out);
        }
        assertThat(min).isBetween(15 * MS, 16 * MS);
        assertThat(max).isBetween(24 * MS, 25 * MS);
    }

    @Test
    void framesLeaveInTheOrderTheyCameDespiteJitter() {
        Impairment spec = delay(20, 20);
        DelayLine line = DelayLine.sizedFor(spec);
        Xorshift random = new Xorshift(3);
        for (int i = 0; i < 500; i++) {
            load(60, i);
            line.offer(frame, i * MS / 10, spec, random);
        }
        long last = Long.MIN_VALUE;
        for (int i = 0; i < 500; i++) {
            assertThat(line.nextDue()).isGreaterThanOrEqualTo(last);
            last = line.nextDue();
            line.pop(out);
            assertThat(marker(out)).isEqualTo(i);
        }
    }

    @Test
    void lossMatchesItsShareWithinABinomialBound() {
        Impairment spec = new Impairment(0, 0, 10, 0, 0, 0);
        DelayLine line = DelayLine.sizedFor(delay(1, 0));
        Xorshift random = new Xorshift(1234);
        int n = 100_000;
        int lost = 0;
        load(60, 0);
        for (int i = 0; i < n; i++) {
            int verdict = line.offer(frame, i, spec, random);
            if (verdict == DelayLine.LOST) {
                lost++;
            } else {
                line.pop(out);
            }
        }
        double sigma = Math.sqrt(n * 0.1 * 0.9);
        assertThat((double) lost).isBetween(n * 0.1 - 3 * sigma, n * 0.1 + 3 * sigma);
    }

    @Test
    void theRateSpacesFramesByTheirSize() {
        // 8000 kbit/s is a byte per microsecond: 1000-byte frames leave one per millisecond.
        Impairment spec = new Impairment(0, 0, 0, 0, 0, 8000);
        DelayLine line = DelayLine.sizedFor(spec);
        Xorshift random = new Xorshift(1);
        for (int i = 0; i < 100; i++) {
            load(1000 - 14, i);
            assertThat(line.offer(frame, 0, spec, random)).isZero();
        }
        for (int i = 0; i < 100; i++) {
            assertThat(line.nextDue()).isEqualTo((i + 1) * MS);
            line.pop(out);
        }
        // An idle link starts afresh: a frame arriving later waits for its own bytes only.
        load(1000 - 14, 0);
        line.offer(frame, 500 * MS, spec, random);
        assertThat(line.nextDue()).isEqualTo(501 * MS);
    }

    @Test
    void theRateComesBeforeTheDelay() {
        Impairment spec = new Impairment(10, 0, 0, 0, 0, 8000);
        DelayLine line = DelayLine.sizedFor(spec);
        load(1000 - 14, 0);
        line.offer(frame, 0, spec, new Xorshift(1));
        assertThat(line.nextDue()).isEqualTo(11 * MS);
    }

    @Test
    void aDuplicateIsQueuedBehindItsOriginal() {
        Impairment spec = new Impairment(5, 0, 0, 100, 0, 0);
        DelayLine line = DelayLine.sizedFor(spec);
        load(60, 9);
        assertThat(line.offer(frame, 0, spec, new Xorshift(1))).isZero();
        assertThat(line.size()).isEqualTo(2);
        line.pop(out);
        assertThat(marker(out)).isEqualTo(9);
        assertThat(line.due(5 * MS)).isTrue();
        line.pop(out);
        assertThat(marker(out)).isEqualTo(9);
    }

    @Test
    void aDuplicateOfAFrameThatGoesAtOnceFollowsAtOnce() {
        Impairment spec = new Impairment(0, 0, 0, 100, 0, 0);
        DelayLine line = DelayLine.sizedFor(spec);
        load(60, 9);
        assertThat(line.offer(frame, 77, spec, new Xorshift(1))).isEqualTo(1);
        assertThat(line.size()).isEqualTo(1);
        assertThat(line.due(77)).isTrue();
    }

    @Test
    void reorderedFramesSkipTheDelayInTheirShare() {
        Impairment spec = new Impairment(20, 0, 0, 0, 25, 0);
        DelayLine line = DelayLine.sizedFor(spec);
        Xorshift random = new Xorshift(5);
        int n = 10_000;
        int now = 0;
        load(60, 0);
        for (int i = 0; i < n; i++) {
            int verdict = line.offer(frame, i * 1000 * MS, spec, random);
            if (verdict == 1) {
                now++;
            } else {
                line.pop(out);
            }
        }
        double sigma = Math.sqrt(n * 0.25 * 0.75);
        assertThat((double) now).isBetween(n * 0.25 - 3 * sigma, n * 0.25 + 3 * sigma);
        // Without a delay there is nothing to overtake: reorder does nothing, and the rate holds the frame.
        Impairment noDelay = new Impairment(0, 0, 0, 0, 100, 8000);
        assertThat(line.offer(frame, 0, noDelay, random)).isZero();
    }

    @Test
    void aFullLineRefusesFramesAndTakesThemAgainOnceDrained() {
        DelayLine line = new DelayLine(4096, 1024);
        Impairment spec = delay(1000, 0);
        Xorshift random = new Xorshift(1);
        load(990, 0);
        int queued = 0;
        while (line.offer(frame, 0, spec, random) == 0) {
            queued++;
        }
        // 1000-byte copies (frame and vnet header) in 4096 bytes.
        assertThat(queued).isEqualTo(4);
        assertThat(line.offer(frame, 0, spec, random)).isEqualTo(DelayLine.FULL);
        line.pop(out);
        assertThat(line.offer(frame, 0, spec, random)).isZero();
        assertThat(line.size()).isEqualTo(4);
    }

    @Test
    void aLineWithoutFreeSlotsRefusesFrames() {
        DelayLine line = new DelayLine(1 << 20, 3);
        Impairment spec = delay(1000, 0);
        load(60, 0);
        for (int i = 0; i < 3; i++) {
            assertThat(line.offer(frame, 0, spec, new Xorshift(i))).isZero();
        }
        assertThat(line.offer(frame, 0, spec, new Xorshift(1))).isEqualTo(DelayLine.FULL);
    }

    @Test
    void theRingWrapsWithoutMixingFrames() {
        DelayLine line = new DelayLine(10_000, 64);
        Impairment spec = delay(1, 0);
        Xorshift random = new Xorshift(1);
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 2000; round++) {
            int size = 46 + (round * 397) % 1400;
            load(size, next);
            if (line.offer(frame, round, spec, random) == 0) {
                next++;
            }
            while (line.size() > 3) {
                line.pop(out);
                assertThat(marker(out)).isEqualTo(expected++ & 0xffff);
            }
        }
        assertThat(expected).isGreaterThan(1900);
    }

    @Test
    void clearForgetsEverything() {
        DelayLine line = DelayLine.sizedFor(delay(5, 0));
        load(60, 1);
        line.offer(frame, 0, delay(5, 0), new Xorshift(1));
        line.clear();
        assertThat(line.isEmpty()).isTrue();
        assertThat(line.due(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void sizesFollowTheSettingsWithinBounds() {
        assertThat(DelayLine.bytesFor(delay(1, 0))).isEqualTo(125_000_000 / 1000 * 21);
        assertThat(DelayLine.bytesFor(new Impairment(0, 0, 0, 0, 0, 10_000))).isEqualTo(DelayLine.MIN_BYTES);
        assertThat(DelayLine.bytesFor(delay(10_000, 0))).isEqualTo(DelayLine.MAX_BYTES);
        assertThat(DelayLine.bytesFor(new Impairment(1000, 0, 0, 0, 0, 100_000))).isEqualTo(12_500 * 1200);
    }

    @Test
    void settingsOutOfRangeAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new Impairment(-1, 0, 0, 0, 0, 0)).hasMessageStartingWith("delayMs");
        assertThatThrownBy(() -> new Impairment(5, 6, 0, 0, 0, 0)).hasMessageStartingWith("jitterMs");
        assertThatThrownBy(() -> new Impairment(0, 0, 101, 0, 0, 0)).hasMessageStartingWith("lossPercent");
        assertThatThrownBy(() -> new Impairment(0, 0, 0, -1, 0, 0)).hasMessageStartingWith("duplicatePercent");
        assertThatThrownBy(() -> new Impairment(0, 0, 0, 0, 100.5, 0)).hasMessageStartingWith("reorderPercent");
        assertThatThrownBy(() -> new Impairment(0, 0, 0, 0, 0, 7)).hasMessageStartingWith("rateKbit");
        assertThat(new Impairment(0, 0, 0, 0, 0, 0).active()).isFalse();
        assertThat(LinkImpairment.of(new Impairment(0, 0, 0, 0, 0, 0), null)).isNull();
        assertThat(LinkImpairment.of(null, delay(1, 0)).ingress()).isEqualTo(delay(1, 0));
        assertThat(new Impairment(0, 0, 5, 0, 0, 0).queues()).isFalse();
    }
}
