package io.tapswitch.core.fdb;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CoarseClockTest {
    @Test
    void readsTheMonotonicClockAsOfItsLastTick() throws InterruptedException {
        CoarseClock clock = new CoarseClock();
        long before = Clock.SYSTEM.millis();
        clock.tick();
        long ticked = clock.millis();
        assertThat(ticked).isBetween(before, Clock.SYSTEM.millis());
        Thread.sleep(20);
        assertThat(clock.millis()).as("unchanged until the next tick").isEqualTo(ticked);
        clock.tick();
        assertThat(clock.millis()).isGreaterThanOrEqualTo(ticked + 20);
    }
}
