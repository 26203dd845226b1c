package io.tapswitch.tests.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a leak would show in this JVM: open descriptors, live threads, heap after a collection.
 */
final class Footprint {
    private Footprint() {
    }

    /**
     * Targets of this process's descriptors that a switch could leak (devices, sockets, eventfds,
     * pipes), sorted. Jar files the JVM opens while loading classes and /proc entries read by this
     * very method are not the switch's and are left out.
     */
    static List<String> fds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return "";
                }
            }).filter(t -> !t.isEmpty() && !t.endsWith(".jar") && !t.startsWith("/proc/")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Live threads whose name starts with {@code prefix}. */
    static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    /** Heap in use after asking for full collections, in bytes. */
    static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    /** CPU time a thread has used so far, in nanoseconds (-1 when it is gone). */
    static long cpuNanos(Thread thread) {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId());
    }
}
