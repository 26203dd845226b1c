package io.tapswitch.core.fdb;

/** Cumulative forwarding-database counters, as a snapshot. */
public record FdbCounters(long learned, long moved, long expired, long evicted, int entries, int capacity) {
}
