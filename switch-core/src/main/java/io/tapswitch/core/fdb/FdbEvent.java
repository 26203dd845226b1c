package io.tapswitch.core.fdb;

/** What happened to a forwarding-database entry. */
public enum FdbEvent {
    LEARNED,
    MOVED,
    EXPIRED,
    EVICTED,
    FLUSHED,
    STATIC_ADDED,
    STATIC_REMOVED
}
