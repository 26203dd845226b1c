package io.tapswitch.agent.vm;

import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Attaches a lab's TAPs to a running switch as {@code netdev} ports (AF_PACKET on the netdev side
 * of the TAP QEMU holds), with the VLAN mode each NIC asks for, and sets up the lab's mirrors once
 * their ports exist.
 */
public final class SwitchAttacher implements PortAttacher {
    private final Switch datapath;
    private final LabFile lab;
    private final Set<String> attached = new HashSet<>();

    public SwitchAttacher(Switch datapath, LabFile lab) {
        this.datapath = datapath;
        this.lab = lab;
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
    public static MirrorConfig mirrorOf(LabFile.Mirror m) {
        Set<String> sources = Set.copyOf(m.sources());
        return switch (m.effectiveDirection()) {
            case "ingress" -> new MirrorConfig(m.name(), sources, Set.of(), null, false, m.output(), 0, 0);
            case "egress" -> new MirrorConfig(m.name(), Set.of(), sources, null, false, m.output(), 0, 0);
            default -> new MirrorConfig(m.name(), sources, sources, null, false, m.output(), 0, 0);
        };
    }

    private LabFile.Nic nic(String ifname) {
        return lab.vms().stream().flatMap(v -> v.nics().stream()).filter(n -> n.port().equals(ifname)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + lab.name() + " has no NIC on port " + ifname));
    }

    @Override
    public synchronized void attach(String ifname) {
        try {
            PacketPort port = PacketPort.open(ifname);
            datapath.addPort(port, new PortConfig(ifname, true, vlanOf(nic(ifname))));
        } catch (NativeException e) {
            throw new IllegalStateException("cannot attach " + ifname + " to the switch: " + e.getMessage(), e);
        }
        attached.add(ifname);
        for (LabFile.Mirror m : lab.mirrors()) {
            if (attached.contains(m.output()) && attached.containsAll(m.sources())
                    && datapath.mirrors().stream().noneMatch(x -> x.name().equals(m.name()))) {
                datapath.addMirror(mirrorOf(m));
            }
        }
    }

    @Override
    public synchronized void detach(String ifname) {
        datapath.removePort(ifname);
        attached.remove(ifname);
    }

    List<String> attached() {
        return List.copyOf(attached);
    }
}
