package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.vlan.VlanTranslate;

import java.nio.ByteBuffer;

/**
 * The forwarding decision for one frame: a chain of early exits, each ending in a {@link Reason}.
 *
 * <p>Input port checks, then source checks, then learning, then the destination: group addresses
 * flood, a learned unicast destination goes to its one port, anything else floods. The decision
 * fills {@link Frame#egress} and touches nothing but the MAC table; sending is the caller's job,
 * which is what lets the same code answer "where would this frame go" without sending it.
 *
 * <p>Tunnels: a frame arrives here already attributed to the port of the remote VTEP that sent it
 * (by {@link FramePath}); one still on the tunnel endpoint's own port came from no known VTEP. The
 * endpoint's port is never an egress. Split horizon: a frame from a VTEP never goes to a VTEP (a
 * flood skips them; a unicast towards one is dropped), since every VTEP floods to all the others
 * itself and a full mesh forwarding between VTEPs would loop.
 */
final class Forwarding {
    private final MacTable fdb;

    Forwarding(MacTable fdb) {
        this.fdb = fdb;
    }

    /**
     * Decides where {@code frame}, received on {@code frame.inPort}, goes.
     *
     * @param learn whether to update the MAC table (false for dry-run traces)
     * @param trace null on the frame path
     */
    Reason decide(Topology topology, Frame frame, boolean learn, Trace trace) {
        frame.egressCount = 0;
        int in = frame.inPort;
        PortConfig inConfig = topology.config(in);
        if (inConfig == null || !inConfig.adminUp()) {
            return done(Reason.DROP_PORT_DISABLED, trace);
        }
        if (frame.length() < Ethernet.HEADER_LEN) {
            return done(Reason.DROP_TRUNCATED, trace);
        }
        if (topology.isTunnelEndpoint(in)) {
            return done(Reason.DROP_UNKNOWN_VTEP, trace);
        }
        if (topology.isMirrorOutput(in)) {
            return done(Reason.DROP_MIRROR_OUTPUT, trace);
        }
        ByteBuffer buf = frame.buffer();
        int eth = frame.frame();
        long src = Ethernet.source(buf, eth);
        long dst = Ethernet.destination(buf, eth);
        if (trace != null) {
            trace.step("ingress port " + inConfig.name() + ": " + MacAddress.format(src) + " -> "
                    + MacAddress.format(dst) + ", " + frame.length() + " bytes");
        }
        long classified = VlanTranslate.input(inConfig.vlan(), buf, eth, frame.length());
        if (classified < 0) {
            return done(vlanDrop(VlanTranslate.Ingress.fromCode(classified)), trace);
        }
        int vlan = VlanTranslate.Classification.vlan(classified);
        frame.vlan = vlan;
        frame.pcp = VlanTranslate.Classification.pcp(classified);
        frame.tagged = VlanTranslate.Classification.tagged(classified);
        frame.tpid = VlanTranslate.Classification.tpid(classified);
        if (trace != null) {
            trace.step("classified to vlan " + vlan + " (port mode " + inConfig.vlan().mode().wireName()
                    + (frame.tagged ? ", tagged" : ", untagged") + ", pcp " + frame.pcp + ")");
        }
        if (!MacAddress.isLearnable(src)) {
            return done(Reason.DROP_BAD_SOURCE, trace);
        }
        if (MacAddress.isBridgeReserved(dst)) {
            return done(Reason.DROP_RESERVED_MULTICAST, trace);
        }
        PortSecurity security = inConfig.security();
        if (security.limited() && fdb.lookup(vlan, src) != in && fdb.entriesOf(in) >= security.maxMacs()) {
            if (security.violation() == PortSecurity.Violation.DROP) {
                return done(Reason.DROP_PORT_SECURITY, trace);
            }
            if (learn) {
                topology.port(in).stats().refusedLearning();
            }
            if (trace != null) {
                trace.step("not learning " + MacAddress.format(src) + ": port holds its limit of "
                        + security.maxMacs() + " MACs");
            }
        } else {
            if (learn) {
                fdb.learn(vlan, src, in);
            }
            if (trace != null) {
                trace.step((learn ? "learned " : "would learn ") + MacAddress.format(src) + " on " + inConfig.name()
                        + " (vlan " + vlan + ")");
            }
        }
        StormControl storm = inConfig.storm();
        if (MacAddress.isMulticast(dst)) {
            boolean broadcast = MacAddress.isBroadcast(dst);
            if (storm.enabled() && learn && !topology.port(in).storm().admit(
                    broadcast ? StormMeter.BROADCAST : StormMeter.MULTICAST,
                    broadcast ? storm.broadcastPps() : storm.multicastPps(), System.nanoTime())) {
                return done(Reason.DROP_STORM_CONTROL, trace);
            }
            return flood(topology, frame, broadcast ? Reason.FLOOD_BROADCAST : Reason.FLOOD_MULTICAST, trace);
        }
        int out = fdb.lookup(vlan, dst);
        if (out < 0) {
            if (storm.enabled() && learn && !topology.port(in).storm().admit(StormMeter.UNKNOWN_UNICAST,
                    storm.unknownUnicastPps(), System.nanoTime())) {
                return done(Reason.DROP_STORM_CONTROL, trace);
            }
            return flood(topology, frame, Reason.FLOOD_UNKNOWN_UNICAST, trace);
        }
        if (out == in) {
            return done(Reason.DROP_HAIRPIN, trace);
        }
        SwitchPort port = topology.port(out);
        PortConfig outConfig = topology.config(out);
        if (port == null || topology.isMirrorOutput(out) || topology.isTunnelEndpoint(out)) {
            return flood(topology, frame, Reason.FLOOD_UNKNOWN_UNICAST, trace);
        }
        if (topology.isVtep(in) && topology.isVtep(out)) {
            return done(Reason.DROP_SPLIT_HORIZON, trace);
        }
        if (!outConfig.adminUp() || !port.operUp() || !VlanTranslate.isMember(outConfig.vlan(), vlan)) {
            return done(Reason.DROP_EGRESS_DOWN, trace);
        }
        frame.egress[frame.egressCount++] = out;
        if (trace != null) {
            trace.step("output to " + outConfig.name());
        }
        return done(Reason.FORWARD_UNICAST, trace);
    }

    private static Reason vlanDrop(VlanTranslate.Ingress why) {
        return switch (why) {
            case TAGGED_ON_ACCESS -> Reason.DROP_VLAN_TAGGED_ON_ACCESS;
            case NOT_ALLOWED, NONE -> Reason.DROP_VLAN_NOT_ALLOWED;
            case RESERVED_VID -> Reason.DROP_VLAN_RESERVED;
            case TRUNCATED_TAG -> Reason.DROP_VLAN_TRUNCATED;
            case UNTAGGED_NOT_ALLOWED -> Reason.DROP_VLAN_UNTAGGED_NOT_ALLOWED;
        };
    }

    /**
     * Floods within the frame's VLAN: members only, never the ingress or a mirror output port, never
     * a tunnel endpoint, and from a VTEP never to a VTEP (split horizon).
     */
    private static Reason flood(Topology topology, Frame frame, Reason reason, Trace trace) {
        int in = frame.inPort;
        int vlan = frame.vlan;
        boolean fromVtep = topology.isVtep(in);
        for (int id : topology.ids()) {
            if (id == in || topology.isMirrorOutput(id) || topology.isTunnelEndpoint(id)
                    || (fromVtep && topology.isVtep(id))) {
                continue;
            }
            PortConfig c = topology.config(id);
            if (c.adminUp() && topology.port(id).operUp() && VlanTranslate.isMember(c.vlan(), vlan)) {
                frame.egress[frame.egressCount++] = id;
                if (trace != null) {
                    trace.step("flood to " + c.name());
                }
            }
        }
        if (frame.egressCount == 0) {
            return done(Reason.DROP_NO_EGRESS, trace);
        }
        return done(reason, trace);
    }

    private static Reason done(Reason reason, Trace trace) {
        if (trace != null) {
            trace.step((reason.isDrop() ? "drop: " : "verdict: ") + reason.name() + " (" + reason.description() + ")");
        }
        return reason;
    }
}
