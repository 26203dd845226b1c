package io.tapswitch.core.port;

import io.tapswitch.core.frame.TunnelSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalTest {
    @Test
    void codesAreNeverAnErrnoAndMapBack() {
        for (Refusal r : Refusal.values()) {
            assertThat(r.code()).isLessThan(-4095);
            assertThat(Refusal.of(r.code())).isEqualTo(r);
        }
        assertThat(Refusal.of(0)).isNull();
        assertThat(Refusal.of(-11)).isNull();
        assertThat(Refusal.of(-4095)).isNull();
    }

    @Test
    void aTunnelSourceIsNeverZeroAndKeepsAddressAndPort() {
        long s = TunnelSource.of(0xc6130201, 50000);
        assertThat(s).isNotZero();
        assertThat(TunnelSource.address(s)).isEqualTo(0xc6130201);
        assertThat(TunnelSource.port(s)).isEqualTo(50000);
        assertThat(TunnelSource.of(0, 0)).isNotZero();
    }
}
