package io.tapswitch.core.fdb;

/**
 * Receives changes to the forwarding database.
 *
 * <p>Called with the table's write lock held, on whichever thread caused the change (a forwarding
 * thread for learn and move, the aging thread for expiry): implementations must only hand the event
 * off (enqueue, count) and return.
 */
@FunctionalInterface
public interface FdbListener {
    FdbListener NONE = (kind, vlan, mac, port, previousPort) -> { };

    /** {@code previousPort} is the port a moved entry came from, otherwise -1. */
    void fdbChanged(FdbEvent kind, int vlan, long mac, int port, int previousPort);
}
