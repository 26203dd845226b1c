package io.tapswitch.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.SecuritySpec;
import io.tapswitch.agent.config.StormSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.vlan.VlanConfig;

/**
 * A port as the API shows it: what was configured, and what the switch sees now.
 *
 * @param id     the switch's port number (as in FDB entries and traces)
 * @param operUp whether the device works, independent of {@code enabled}
 * @param macs     entries the port holds in the MAC table
 * @param security the port's bound on learned stations, absent when it has none
 * @param storm    the port's flood rate limits, absent when it has none
 * @param remote   for a tunnel port: the remote VTEP, {@code address:port}
 * @param impair   the port's link impairment as in force, absent when it has none
 * @param owner    who the port belongs to when it is not the configuration file's (a lab, the
 *                 fabric, an auto-attach rule, a QEMU script or the bridge helper); absent otherwise
 */
public record PortView(String name, int id, String kind, PortSpec.CreateMode create, boolean persistent, boolean enabled,
                       boolean operUp, VlanSpec vlan, int macs,
                       @JsonInclude(JsonInclude.Include.NON_NULL) SecuritySpec security,
                       @JsonInclude(JsonInclude.Include.NON_NULL) StormSpec storm,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String remote,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String owner, PortCounters stats,
                       @JsonInclude(JsonInclude.Include.NON_NULL) io.tapswitch.agent.config.ImpairSpec impair) {
    /** The view of {@code spec}, or of a configured port the switch does not hold (id -1). */
    public static PortView of(PortSpec spec, SwitchView sw, String owner) {
        Topology t = sw.topology();
        int id = t.idOf(spec.name());
        SwitchPort port = t.port(id);
        VlanConfig vlan = id >= 0 ? t.config(id).vlan() : spec.vlan() == null ? VlanConfig.DEFAULT : spec.vlan().toVlanConfig();
        return new PortView(spec.name(), id, spec.kind().name().toLowerCase(java.util.Locale.ROOT), spec.create(),
                spec.persistent(), spec.enabled(), port != null && port.operUp(), VlanSpec.of(vlan),
                id >= 0 ? sw.fdb().entriesOf(id) : 0, spec.security(), spec.storm(), spec.remote(), owner,
                port == null ? null : PortCounters.of(spec.name(), port.stats()),
                id >= 0 ? io.tapswitch.agent.config.ImpairSpec.of(t.config(id).impair()) : spec.impair());
    }
}
