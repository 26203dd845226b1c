package io.tapswitch.core.engine;

/** Counters of one mirror, as a snapshot: frames copied, copies the output could not take. */
public record MirrorStats(String name, long copied, long failed) {
}
