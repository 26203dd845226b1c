package io.tapswitch.agent.state;

import io.tapswitch.core.capture.Capture;
import io.tapswitch.core.engine.MirrorStats;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.engine.TraceResult;
import io.tapswitch.core.engine.VlanStats;
import io.tapswitch.core.fdb.FdbView;
import io.tapswitch.core.frame.Frame;

import java.util.List;

/**
 * The running switch as readers see it: the topology snapshot (ports, their configuration, state
 * and counters), the MAC table, mirror and VLAN counters, and the captures running now.
 *
 * <p>The API, the console's feeds, the metrics and the tests read the switch through this view; it
 * has no method that changes anything. Every change goes through the {@link ControlPlane}, which
 * validates, persists and numbers it, so nothing can rewire the switch behind the configuration
 * file's back.
 */
public final class SwitchView {
    private final Switch sw;

    SwitchView(Switch sw) {
        this.sw = sw;
    }

    /** The switch's name. */
    public String name() {
        return sw.options().name();
    }

    /** The current immutable snapshot of ports and mirrors. */
    public Topology topology() {
        return sw.topology();
    }

    public FdbView fdb() {
        return sw.fdb();
    }

    /** Counters of a mirror, or null when there is none of that name. */
    public MirrorStats mirrorStats(String name) {
        return sw.mirrorStats(name);
    }

    public VlanStats vlanStats() {
        return sw.vlanStats();
    }

    /** Captures running now. */
    public List<Capture> captures() {
        return sw.captures();
    }

    /**
     * Where {@code frame}, received on {@code frame.inPort}, would go and why: the same decision as
     * real traffic, without learning from it or sending it.
     */
    public TraceResult trace(Frame frame) {
        return sw.trace(frame);
    }

    /** The switch's forwarding threads, for leak checks and diagnostics. */
    public List<Thread> threads() {
        return sw.threads();
    }

    /** The thread of the event loop that reads port {@code name}, or null. */
    public Thread threadOf(String name) {
        return sw.threadOf(name);
    }
}
