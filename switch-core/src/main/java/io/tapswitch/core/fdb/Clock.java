package io.tapswitch.core.fdb;

/** Milliseconds on a monotonic scale; injected so aging can be tested without sleeping. */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = () -> System.nanoTime() / 1_000_000L;

    long millis();
}
