package io.tapswitch.agent.api;

import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanMode;
import io.tapswitch.core.vlan.VlanTranslate;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code /api/v1/vlans}: which ports carry which VLAN, and whether tagged, computed from the port
 * configurations rather than stored, so it can never disagree with them.
 *
 * <p>A trunk with an empty allowed list carries every VLAN; listing 4094 VLANs for it would bury
 * the interesting ones, so such ports are listed once under {@code allVlans} and, in addition,
 * as tagged members of every VLAN some other port names.
 */
final class VlanRoutes {
    record VlanMembers(int vlan, List<String> untagged, List<String> tagged) {
    }

    /** @param allVlans trunk ports that carry every VLAN */
    record VlanTable(List<VlanMembers> vlans, List<String> allVlans) {
    }

    private final ControlPlane control;

    VlanRoutes(ControlPlane control) {
        this.control = control;
    }

    void mount(Router router) {
        router.get("/api/v1/vlans").handler(this::list);
    }

    private void list(RoutingContext ctx) {
        Replies.json(ctx, 200, table(control.view().topology()));
    }

    static VlanTable table(Topology t) {
        TreeSet<Integer> named = new TreeSet<>();
        List<String> everything = new ArrayList<>();
        for (SwitchPort p : t.ports()) {
            VlanConfig v = t.config(p.id()).vlan();
            if (v.mode() != VlanMode.TRUNK) {
                named.add(v.tag());
            }
            for (int vid : v.trunks().toArray()) {
                named.add(vid);
            }
            if (v.mode() != VlanMode.ACCESS && v.mode() != VlanMode.DOT1Q_TUNNEL && v.trunks().isEmpty()) {
                everything.add(p.name());
            }
        }
        List<VlanMembers> vlans = new ArrayList<>();
        for (int vid : named) {
            List<String> untagged = new ArrayList<>();
            List<String> tagged = new ArrayList<>();
            for (SwitchPort p : t.ports()) {
                PortConfig c = t.config(p.id());
                int action = VlanTranslate.output(c.vlan(), vid);
                if (action == VlanTranslate.EGRESS_UNTAGGED) {
                    untagged.add(p.name());
                } else if (action == VlanTranslate.EGRESS_TAGGED) {
                    tagged.add(p.name());
                }
            }
            vlans.add(new VlanMembers(vid, untagged, tagged));
        }
        return new VlanTable(vlans, everything);
    }
}
