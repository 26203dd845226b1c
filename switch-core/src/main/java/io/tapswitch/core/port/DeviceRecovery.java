package io.tapswitch.core.port;

import java.util.function.LongSupplier;

/**
 * The failed state of a port's device, and the way out of it.
 *
 * <p>A device can vanish under a port (its netdev deleted, QEMU restarted) and come back later under
 * the same name. While it is gone, every read fails, and the port keeps reporting the errno that put
 * it in this state, so that the switch keeps the port down. Looking for the device costs system calls
 * and, on the control path, allocations, so it happens on a read that finds nothing, and at most once
 * per {@link #RECHECK_NANOS}: the reading thread polls a failed port about once a second anyway.
 * When a look finds the device usable again, or a frame arrives, the state ends and the port's next
 * read reports a clean result, which is how the switch learns that the port is up again.
 *
 * <p>What "looking" means differs per port kind (re-attaching a TAP, re-binding a packet socket), so
 * the port supplies it as a {@link Reattach}; the bookkeeping is the same everywhere and lives here.
 * Not thread-safe: it belongs to the port's one reading thread.
 */
final class DeviceRecovery {
    /** How long a failed device is left alone between two looks. */
    static final long RECHECK_NANOS = 1_000_000_000L;

    /** The port-specific look at a failed device. */
    @FunctionalInterface
    interface Reattach {
        /**
         * Tries to make the device usable again; returns 0 when it is, or else the errno the port
         * reports from now on ({@code failedErrno} to keep reporting the one it failed with).
         */
        int attempt(int failedErrno);
    }

    private final Reattach reattach;
    private final LongSupplier nanoClock;
    /** The errno being reported, 0 while the device is healthy. */
    private int errno;
    private long lastLook;

    DeviceRecovery(Reattach reattach) {
        this(reattach, System::nanoTime);
    }

    /** With a clock of its own, for tests. */
    DeviceRecovery(Reattach reattach, LongSupplier nanoClock) {
        this.reattach = reattach;
        this.nanoClock = nanoClock;
    }

    /** Enters (or stays in) the failed state with {@code errno}; the next look is a full interval away. */
    void failed(int errno) {
        this.errno = errno;
        this.lastLook = nanoClock.getAsLong();
    }

    /** Leaves the failed state because the device delivered a frame, which no look could prove better. */
    void clear() {
        errno = 0;
    }

    boolean isFailed() {
        return errno != 0;
    }

    /** The errno a failed port reports; 0 while healthy. */
    int errno() {
        return errno;
    }

    /**
     * Whether the device may be used: true while healthy; in the failed state, true only when a look,
     * taken if the last one is at least {@link #RECHECK_NANOS} old, found it usable again.
     */
    boolean usable() {
        if (errno == 0) {
            return true;
        }
        long now = nanoClock.getAsLong();
        if (now - lastLook < RECHECK_NANOS) {
            return false;
        }
        lastLook = now;
        errno = reattach.attempt(errno);
        return errno == 0;
    }
}
