package io.tapswitch.core.engine;

import io.tapswitch.core.capture.CaptureTaps;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.TunnelSource;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.impair.LinkImpairment;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.Refusal;
import io.tapswitch.core.vlan.VlanEncap;
import io.tapswitch.core.vlan.VlanTranslate;

/**
 * What an event loop does with each frame it read: count it, have {@link Forwarding}
 * decide, then carry the decision out, sending to each egress port in that port's tag state, copying
 * to mirrors and captures on the way.
 *
 * <p>{@link Forwarding} answers "where does this frame go"; this class only executes the answer, so
 * a dry-run trace can share the decision without sending. It is the hot path: it works on the one
 * topology and the one set of capture taps its caller read for the frame, sends every copy from the
 * frame's own buffer, allocates and logs nothing, and takes no lock of its own (learning a new MAC
 * takes the table's, a running capture its ring's). Several loops may run it at once, so it
 * keeps no state between frames; what a mirror copy puts aside lives in the thread's {@link Frame}.
 *
 * <p>Sends to a port that sends in bursts (AF_PACKET) may be queued instead of made at once: when
 * the caller passes its loop's {@link EgressBatches} and the send is the frame's last use (one
 * egress, no mirror), the frame is queued there and marked {@link Frame#held}, and the loop sends
 * each port's queue with one system call when its pass ends. Any other send to such a port sends
 * its queue first, so a port's frames leave in the order they were decided.
 *
 * <p>Two things happen here only for tunnels and offloads. A frame a tunnel endpoint read is first
 * attributed to the port of the remote VTEP that sent it ({@link Frame#tunnelSource}, looked up in
 * the topology), or counted against the endpoint's port when it came from no known VTEP or the
 * endpoint refused it. And a frame that still carries an offload request (GSO, a partial checksum)
 * and goes to a port that cannot take one is segmented or completed in software on the way
 * ({@link SoftwareOffload}) instead of being dropped.
 */
final class FramePath {
    private final Forwarding forwarding;
    private final VlanStats vlanStats;
    private final SoftwareOffload software = new SoftwareOffload();

    FramePath(Forwarding forwarding, VlanStats vlanStats) {
        this.forwarding = forwarding;
        this.vlanStats = vlanStats;
    }

    /**
     * Decides and sends one frame received on {@code frame.inPort}, against the topology and the
     * capture taps the switch published last.
     */
    Reason process(Topology t, CaptureTaps taps, Frame frame, EgressBatches batches) {
        return process(t, taps, frame, batches, null, false);
    }

    /**
     * As {@link #process(Topology, CaptureTaps, Frame, EgressBatches)}, for an event loop with link
     * impairments: the ingress port's impairment may hold the frame back or drop it, and egress
     * ports' impairments their copies ({@link Impairments}). A frame the ingress impairment
     * {@code released} was counted and captured when it arrived and is only decided and sent now.
     */
    Reason process(Topology t, CaptureTaps taps, Frame frame, EgressBatches batches, Impairments impair,
                   boolean released) {
        SwitchPort in = t.port(frame.inPort);
        if (in == null) {
            return Reason.DROP_PORT_DISABLED;
        }
        if (frame.tunnelSource != 0 || frame.refusal != 0) {
            Reason refused = fromTunnel(t, frame);
            if (refused != null) {
                in.stats().received(frame.length());
                in.stats().decided(refused);
                return refused;
            }
            in = t.port(frame.inPort);
        }
        if (!released) {
            in.stats().received(frame.length());
            if (taps.any()) {
                taps.port(frame.inPort, frame);
            }
            LinkImpairment link = t.config(frame.inPort).impair();
            if (link != null && link.ingress() != null && impair != null) {
                Reason held = impair.ingress(in, frame, link.ingress(), System.nanoTime());
                if (held != null) {
                    return held;
                }
            }
        }
        Reason reason = forwarding.decide(t, frame, true, null);
        in.stats().decided(reason);
        if (!reason.isDrop()) {
            vlanStats.received(frame.vlan, frame.length());
            if (reason != Reason.FORWARD_UNICAST) {
                vlanStats.flooded(frame.vlan);
            }
            transmit(t, taps, frame, batches, impair);
        }
        return reason;
    }

    /**
     * Makes the port of the remote VTEP that sent a tunnel's frame its ingress port and returns
     * null, or returns why the frame goes nowhere: the endpoint refused it, or its sender is no
     * VTEP port's. Both are counted against the endpoint's port, which read it.
     */
    private static Reason fromTunnel(Topology t, Frame frame) {
        if (frame.refusal != 0) {
            Refusal refusal = Refusal.of(frame.refusal);
            return refusal == null ? Reason.DROP_TRUNCATED : Reason.of(refusal);
        }
        int vtep = t.vtepPort(TunnelSource.address(frame.tunnelSource));
        if (vtep < 0) {
            return Reason.DROP_UNKNOWN_VTEP;
        }
        frame.inPort = vtep;
        return null;
    }

    /**
     * Sends a decided frame: first copies for mirrors that select it on ingress (as it arrived),
     * then to each egress port in that port's tag state, each followed by copies for mirrors that
     * select that egress port (as it left). A bitmask makes each mirror copy a frame once.
     */
    private void transmit(Topology t, CaptureTaps taps, Frame frame, EgressBatches batches, Impairments impair) {
        Mirror[] mirrors = t.mirrors();
        // Only the frame's last use may be queued: nothing changes the buffer after it.
        boolean last = frame.egressCount == 1 && mirrors.length == 0;
        long copied = 0;
        for (Mirror m : mirrors) {
            if (m.selectsIngress(frame.inPort, frame.vlan)) {
                copied |= 1L << m.index;
                mirror(t, taps, m, frame, batches);
            }
        }
        for (int i = 0; i < frame.egressCount; i++) {
            int id = frame.egress[i];
            SwitchPort out = t.port(id);
            PortConfig config = t.config(id);
            int action = VlanTranslate.output(config.vlan(), frame.vlan);
            if (action == VlanTranslate.EGRESS_DROP) {
                continue;
            }
            VlanEncap.apply(frame, action);
            // Captured before it is sent, so that a reply (captured as it arrives on another
            // thread) can never carry an earlier timestamp than the frame it answers.
            if (taps.any()) {
                taps.port(id, frame);
            }
            LinkImpairment link = config.impair();
            if (link != null && link.egress() != null && impair != null) {
                if (impair.egress(out, frame, link.egress(), System.nanoTime()) > 0) {
                    send(out, frame, batches, false);
                }
            } else {
                send(out, frame, batches, last);
            }
            for (Mirror m : mirrors) {
                if ((copied & (1L << m.index)) == 0 && m.selectsEgress(id)) {
                    copied |= 1L << m.index;
                    mirror(t, taps, m, frame, batches);
                }
            }
        }
    }

    /**
     * Sends the frame as it stands through one port, counting the outcome there. A port without a
     * vnet header cannot carry a partial-checksum or GSO frame (the kernel would take it for a plain
     * frame and send it broken), so such a frame is segmented or completed in software first; one
     * that cannot be is dropped on that port as {@link Reason#DROP_OFFLOAD_UNSUPPORTED}. A port's
     * own refusal (a tunnel's VLAN without a VNI, a frame too big for its underlay) is a drop with
     * its reason. Drops count as send errors too; the reason says why.
     */
    private boolean send(SwitchPort out, Frame frame, EgressBatches batches, boolean last) {
        Port device = out.device();
        boolean inSoftware = !device.vnetHeader() && VnetHeader.hasOffload(frame.buffer(), frame.start());
        if (batches != null) {
            if (last && !inSoftware && batches.queue(out, frame)) {
                // Counted when the loop sends the queue.
                frame.held = true;
                return true;
            }
            batches.flush(out);
        }
        int result = inSoftware ? software.send(device, frame) : device.send(frame);
        if (result == 0) {
            out.stats().sent(frame.length());
            return true;
        }
        Refusal refusal = Refusal.of(result);
        if (refusal != null) {
            out.stats().txDropped(Reason.of(refusal));
        }
        out.stats().sendError();
        return false;
    }

    /**
     * Sends a copy an egress impairment held back, now due, unless its port went down meanwhile
     * (then it is a tx drop as {@link Reason#DROP_EGRESS_DOWN}).
     */
    void sendReleased(Topology t, SwitchPort out, Frame frame, EgressBatches batches) {
        PortConfig config = t.config(out.id());
        if (!config.adminUp() || !out.operUp()) {
            out.stats().txDropped(Reason.DROP_EGRESS_DOWN);
            return;
        }
        send(out, frame, batches, false);
    }

    /**
     * Copies a frame to a mirror's output: as it stands to the SPAN port, or, for RSPAN, into the
     * output VLAN (the frame's VLAN replaced) towards every member port but the ingress port. A
     * mirror with a snap length sends the frame cut to that length ({@link Frame#snap}).
     */
    private void mirror(Topology t, CaptureTaps taps, Mirror m, Frame frame, EgressBatches batches) {
        boolean snapped = frame.snap(m.config.snaplen());
        if (taps.any()) {
            taps.mirror(m.config.name(), frame);
        }
        boolean ok = true;
        if (m.outputPort >= 0) {
            SwitchPort out = t.port(m.outputPort);
            ok = out != null && send(out, frame, batches, false);
        } else {
            int vlan = frame.vlan;
            frame.vlan = m.config.outputVlan();
            boolean fromVtep = t.isVtep(frame.inPort);
            for (int id : t.ids()) {
                if (id == frame.inPort || t.isMirrorOutput(id) || t.isTunnelEndpoint(id) || (fromVtep && t.isVtep(id))) {
                    continue;
                }
                PortConfig c = t.config(id);
                int action = VlanTranslate.output(c.vlan(), frame.vlan);
                if (action != VlanTranslate.EGRESS_DROP && c.adminUp()) {
                    VlanEncap.apply(frame, action);
                    ok &= send(t.port(id), frame, batches, false);
                }
            }
            frame.vlan = vlan;
        }
        if (snapped) {
            frame.unsnap();
        }
        if (ok) {
            m.counters.copied();
        } else {
            m.counters.failed();
        }
    }
}
