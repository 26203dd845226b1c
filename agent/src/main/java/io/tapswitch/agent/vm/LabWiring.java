package io.tapswitch.agent.vm;

import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;

import java.util.Set;

/**
 * How a lab file's NICs and mirrors become switch ports and mirrors: each NIC's TAP is attached as
 * a {@code netdev} port (AF_PACKET on the netdev side of the TAP QEMU holds) with the VLAN mode the
 * NIC asks for (and the link impairment, {@code impair:}), and each lab mirror becomes a SPAN mirror of the switch.
 */
public final class LabWiring {
    private LabWiring() {
    }

    /** The switch port a lab NIC's TAP becomes. */
    public static PortSpec portOf(LabFile.Nic nic) {
        return new PortSpec(nic.port(), PortSpec.PortKindSpec.NETDEV, PortSpec.CreateMode.ATTACH, false, true,
                VlanSpec.of(vlanOf(nic))).withImpair(nic.impair());
    }

    /** The switch-side VLAN configuration a lab NIC asks for. */
    public static VlanConfig vlanOf(LabFile.Nic nic) {
        if (nic.tunnel() != null) {
            return VlanConfig.dot1qTunnel(nic.tunnel());
        }
        if (nic.vlan() != null) {
            return VlanConfig.access(nic.vlan());
        }
        if (!nic.trunk().isEmpty()) {
            VlanSet allowed = VlanSet.of(nic.trunk().stream().mapToInt(Integer::intValue).toArray());
            return nic.nativeVlan() == null ? VlanConfig.trunk(allowed) : VlanConfig.nativeUntagged(nic.nativeVlan(), allowed);
        }
        return VlanConfig.DEFAULT;
    }

    /** The switch mirror a lab mirror stands for. */
    public static MirrorSpec mirrorOf(LabFile.Mirror m) {
        Set<String> sources = Set.copyOf(m.sources());
        MirrorConfig config = switch (m.effectiveDirection()) {
            case "ingress" -> new MirrorConfig(m.name(), sources, Set.of(), null, false, m.output(), 0, 0);
            case "egress" -> new MirrorConfig(m.name(), Set.of(), sources, null, false, m.output(), 0, 0);
            default -> new MirrorConfig(m.name(), sources, sources, null, false, m.output(), 0, 0);
        };
        return MirrorSpec.of(config);
    }
}
