package io.tapswitch.agent.event;

/**
 * Event-bus addresses on which the agent publishes what happens (JSON objects). The API's event
 * stream relays them all; the demo prints the FDB ones.
 */
public final class Events {
    /** {@code {"event":"LEARNED|MOVED|EXPIRED|EVICTED|FLUSHED|...","vlan":..,"mac":"..","port":"..","from":".."}} */
    public static final String FDB = "tapswitch.fdb";
    /** {@code {"event":"added|removed|up|down","port":".."}} */
    public static final String PORT = "tapswitch.port";
    /** {@code {"revision":..,"change":"port vm1 added"}}, after a change is applied and persisted. */
    public static final String CONFIG = "tapswitch.config";
    /** Once a second: {@code {"ports":[{"name":..,"rxPackets":..,...}]}}. */
    public static final String COUNTERS = "tapswitch.counters";
    /**
     * As each check of a lab test ends: {@code {"lab":..,"name":..,"kind":..,"status":"PASS|FAIL|ERROR",
     * "durationMillis":..,"evidence":..,"vms":[..]}} (see {@code io.tapswitch.agent.check.CheckResult}).
     */
    public static final String LAB_CHECK = "tapswitch.lab-check";

    private Events() {
    }
}
