package io.tapswitch.core.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The token buckets of storm control, driven by an explicit clock, and the validation of the
 * storm-control and port-security settings that feed them.
 *
 * <p>Equivalent mutant: capping the bucket with {@code t >= pps} instead of {@code t > pps} sets the
 * same value.
 */
class StormMeterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketPassesOneSecondOfFramesThenRefillsAtTheRate() {
        StormMeter meter = new StormMeter();
        long now = 10 * SECOND;
        int passed = 0;
        for (int i = 0; i < 2_000; i++) {
            if (meter.admit(StormMeter.BROADCAST, 1_000, now)) {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(1_000);
        assertThat(meter.admit(StormMeter.BROADCAST, 1_000, now + 500_000)).as("half a token").isFalse();
        assertThat(meter.admit(StormMeter.BROADCAST, 1_000, now + 1_000_000)).as("one token after 1 ms").isTrue();
        assertThat(meter.admit(StormMeter.BROADCAST, 1_000, now + 1_000_000)).isFalse();
    }

    @Test
    void exactlyOneTokenAdmitsOneFrame() {
        StormMeter meter = new StormMeter();
        assertThat(meter.admit(StormMeter.MULTICAST, 1, SECOND)).isTrue();
        assertThat(meter.admit(StormMeter.MULTICAST, 1, SECOND)).isFalse();
        assertThat(meter.admit(StormMeter.MULTICAST, 1, 2 * SECOND)).isTrue();
    }

    @Test
    void eachTrafficClassHasItsOwnBucket() {
        StormMeter meter = new StormMeter();
        assertThat(meter.admit(StormMeter.BROADCAST, 1, SECOND)).isTrue();
        assertThat(meter.admit(StormMeter.BROADCAST, 1, SECOND)).isFalse();
        assertThat(meter.admit(StormMeter.MULTICAST, 1, SECOND)).isTrue();
        assertThat(meter.admit(StormMeter.UNKNOWN_UNICAST, 1, SECOND)).isTrue();
    }

    @Test
    void aClassWithoutALimitIsNeverRefused() {
        StormMeter meter = new StormMeter();
        for (int i = 0; i < 100; i++) {
            assertThat(meter.admit(StormMeter.UNKNOWN_UNICAST, 0, SECOND)).isTrue();
        }
    }

    @Test
    void stormControlIsEnabledByAnyOneOfItsLimits() {
        assertThat(StormControl.NONE.enabled()).isFalse();
        assertThat(new StormControl(1, 0, 0).enabled()).isTrue();
        assertThat(new StormControl(0, 1, 0).enabled()).isTrue();
        assertThat(new StormControl(0, 0, 1).enabled()).isTrue();
    }

    @Test
    void stormControlChecksEveryLimit() {
        assertThat(new StormControl(100_000_000, 100_000_000, 100_000_000).unknownUnicastPps()).isEqualTo(100_000_000);
        assertThatThrownBy(() -> new StormControl(-1, 0, 0)).hasMessageStartingWith("broadcastPps:");
        assertThatThrownBy(() -> new StormControl(0, 100_000_001, 0)).hasMessageStartingWith("multicastPps:");
        assertThatThrownBy(() -> new StormControl(0, 0, -1)).hasMessageStartingWith("unknownUnicastPps:");
        assertThatThrownBy(() -> new StormControl(100_000_001, 0, 0)).hasMessageStartingWith("broadcastPps:");
    }

    @Test
    void portSecurityAcceptsZeroToAMillionStations() {
        assertThat(new PortSecurity(0, null).limited()).isFalse();
        assertThat(new PortSecurity(0, null).violation()).isEqualTo(PortSecurity.Violation.LEARN_STOP);
        assertThat(new PortSecurity(1_000_000, PortSecurity.Violation.DROP).limited()).isTrue();
        assertThatThrownBy(() -> new PortSecurity(-1, null)).hasMessageStartingWith("maxMacs:");
        assertThatThrownBy(() -> new PortSecurity(1_000_001, null)).hasMessageStartingWith("maxMacs:");
    }
}
