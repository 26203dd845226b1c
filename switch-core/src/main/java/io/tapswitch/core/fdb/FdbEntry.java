package io.tapswitch.core.fdb;

/** A snapshot of one forwarding-database entry, for listings; never used on the frame path. */
public record FdbEntry(int vlan, long mac, int port, long ageMillis, boolean isStatic) {
}
