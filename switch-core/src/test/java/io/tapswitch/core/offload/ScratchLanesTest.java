package io.tapswitch.core.offload;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScratchLanesTest {
    @Test
    void oneThreadUsesOneLaneAndMakesOneScratch() {
        AtomicInteger made = new AtomicInteger();
        ScratchLanes<int[]> lanes = new ScratchLanes<>(8, () -> new int[] {made.incrementAndGet()});
        for (int i = 0; i < 1000; i++) {
            int lane = lanes.claim();
            try {
                assertThat(lanes.scratch(lane)[0]).isEqualTo(1);
            } finally {
                lanes.release(lane);
            }
        }
        assertThat(made.get()).isEqualTo(1);
        assertThat(lanes.made()).isEqualTo(1);
    }

    @Test
    void noLaneIsEverHeldByTwoThreadsEvenWithMoreThreadsThanLanes() throws Exception {
        ScratchLanes<AtomicInteger> lanes = new ScratchLanes<>(2, AtomicInteger::new);
        AtomicReference<String> broken = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 20000; i++) {
                    int lane = lanes.claim();
                    try {
                        AtomicInteger holders = lanes.scratch(lane);
                        if (holders.incrementAndGet() != 1) {
                            broken.set("lane " + lane + " held twice");
                        }
                        holders.decrementAndGet();
                    } finally {
                        lanes.release(lane);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(broken.get()).isNull();
        assertThat(lanes.made()).isBetween(1, 2);
    }

    @Test
    void refusesLaneCountsThatAreNoPowerOfTwo() {
        assertThatThrownBy(() -> new ScratchLanes<>(3, Object::new)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScratchLanes<>(0, Object::new)).isInstanceOf(IllegalArgumentException.class);
    }
}
