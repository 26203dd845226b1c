package io.tapswitch.agent.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Concurrent requests are applied one at a time: each counts once, and racing duplicates conflict. */
class ConcurrentChangesTest {
    @TempDir
    Path dir;

    @Test
    void concurrentChangesAreSerialized() throws Exception {
        try (RunningAgent a = RunningAgent.start(dir, RunningAgent.emptyConfig())) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> adds = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    adds.add(pool.submit(() -> a.http.post("/ports", "{\"name\":\"tsapic1\"}").status()));
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : adds) {
                    statuses.add(f.get());
                }
                assertThat(statuses).containsOnly(201, 409);
                assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);

                long before = a.agent.controlPlane().revision();
                List<Future<Integer>> patches = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int seconds = 100 + i;
                    patches.add(pool.submit(() -> a.http.patch("/switch", "{\"agingSeconds\":" + seconds + "}").status()));
                }
                for (Future<Integer> f : patches) {
                    assertThat(f.get()).isEqualTo(200);
                }
                assertThat(a.agent.controlPlane().revision()).isEqualTo(before + 20);
                assertThat(a.persisted().agingSeconds()).isEqualTo(a.agent.controlPlane().config().agingSeconds());
                assertThat(a.agent.view().fdb().agingMillis()).isEqualTo(a.persisted().agingSeconds() * 1000L);
            } finally {
                pool.shutdownNow();
            }
        } finally {
        }
    }
}
