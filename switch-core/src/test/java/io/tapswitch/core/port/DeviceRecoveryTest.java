package io.tapswitch.core.port;

import io.tapswitch.core.sys.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The failed-port state machine shared by TAP and packet ports, on a clock the test moves. */
class DeviceRecoveryTest {
    private long now = 5_000_000_000L;
    private final List<Integer> looks = new ArrayList<>();
    private int answer;

    private DeviceRecovery recovery() {
        return new DeviceRecovery(failed -> {
            looks.add(failed);
            return answer;
        }, () -> now);
    }

    @Test
    void aHealthyDeviceIsUsableWithoutLooking() {
        DeviceRecovery r = recovery();
        assertThat(r.usable()).isTrue();
        assertThat(r.isFailed()).isFalse();
        assertThat(r.errno()).isZero();
        assertThat(looks).isEmpty();
    }

    @Test
    void looksAtMostOnceARecheckIntervalAndKeepsReportingTheErrno() {
        DeviceRecovery r = recovery();
        r.failed(Errno.ENETDOWN);
        answer = Errno.ENODEV;

        now += DeviceRecovery.RECHECK_NANOS - 1;
        assertThat(r.usable()).isFalse();
        assertThat(looks).as("no look within the interval after the failure").isEmpty();
        assertThat(r.errno()).isEqualTo(Errno.ENETDOWN);

        now += 1;
        assertThat(r.usable()).isFalse();
        assertThat(looks).containsExactly(Errno.ENETDOWN);
        assertThat(r.errno()).as("what the look found is reported from now on").isEqualTo(Errno.ENODEV);

        assertThat(r.usable()).isFalse();
        assertThat(looks).as("the next look waits a full interval again").hasSize(1);

        answer = 0;
        now += DeviceRecovery.RECHECK_NANOS;
        assertThat(r.usable()).isTrue();
        assertThat(looks).containsExactly(Errno.ENETDOWN, Errno.ENODEV);
        assertThat(r.isFailed()).isFalse();
        assertThat(r.usable()).isTrue();
        assertThat(looks).hasSize(2);
    }

    @Test
    void aFrameEndsTheFailedStateWithoutALook() {
        DeviceRecovery r = recovery();
        r.failed(Errno.ENXIO);
        assertThat(r.isFailed()).isTrue();
        r.clear();
        assertThat(r.usable()).isTrue();
        assertThat(looks).isEmpty();
    }
}
