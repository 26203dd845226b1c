package io.tapswitch.agent;

/** Event-bus addresses on which the agent publishes datapath events (JSON objects). */
public final class Events {
    /** {@code {"event":"LEARNED|MOVED|EXPIRED|EVICTED|FLUSHED|...","vlan":..,"mac":"..","port":"..","from":".."}} */
    public static final String FDB = "tapswitch.fdb";
    /** {@code {"event":"added|removed|up|down","port":".."}} */
    public static final String PORT = "tapswitch.port";

    private Events() {
    }
}
