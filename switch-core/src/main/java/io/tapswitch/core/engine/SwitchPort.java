package io.tapswitch.core.engine;

import io.tapswitch.core.port.Port;

/**
 * A port as the switch holds it: the device, its stable id, counters and operational state.
 *
 * <p>Its id indexes every per-port array (the MAC table's, the topology's) and is never reused
 * while entries could still name it: ids are freed only after the port's FDB entries are flushed.
 */
public final class SwitchPort {
    private final int id;
    private final Port device;
    private final PortStats stats = new PortStats();
    private final StormMeter storm = new StormMeter();
    private volatile boolean operUp = true;

    SwitchPort(int id, Port device) {
        this.id = id;
        this.device = device;
    }

    public int id() {
        return id;
    }

    public Port device() {
        return device;
    }

    public String name() {
        return device.name();
    }

    public PortStats stats() {
        return stats;
    }

    StormMeter storm() {
        return storm;
    }

    /** Whether the device currently works (independent of the administrative state). */
    public boolean operUp() {
        return operUp;
    }

    void setOperUp(boolean up) {
        this.operUp = up;
    }
}
