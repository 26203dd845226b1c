package io.tapswitch.agent.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Waits for SIGINT/SIGTERM and runs the cleanup before the JVM exits, so that Ctrl-C and
 * {@code kill} leave no TAP or namespace behind.
 */
public final class Shutdown {
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final CountDownLatch cleaned = new CountDownLatch(1);

    public Shutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signalled.countDown();
            try {
                cleaned.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tapswitch-shutdown"));
    }

    /** Blocks until a signal arrives. */
    public void await() throws InterruptedException {
        signalled.await();
    }

    /** Lets the JVM finish exiting; call after cleanup. */
    public void cleaned() {
        cleaned.countDown();
    }
}
