package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.StaticMacSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.config.VxlanSpec;
import io.tapswitch.core.engine.PortListener;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.tunnel.TunnelOptions;
import io.tapswitch.core.tunnel.VniMap;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds the running switch a validated configuration describes, in the order its parts depend on
 * one another: ports with their VLAN settings, then mirrors (which name ports), then static
 * entries (which name ports by id). It is the one path that changes the switch without a
 * {@link Change}: at start there is nothing to check against, to undo or to persist.
 */
public final class SwitchBootstrap {
    /** The tunnel endpoint's port: the UDP socket that reads for every remote VTEP. */
    public static final String ENDPOINT_PORT = "vxlan0";
    /** The owner of the ports the {@code vxlan} section makes (see {@link TransientPorts}). */
    public static final String VXLAN_OWNER = "vxlan";

    private SwitchBootstrap() {
    }

    /**
     * Starts the switch {@code config} describes and hands it to a {@link ControlPlane}; on failure
     * everything opened so far is closed and the cause thrown.
     *
     * @param file    where changes are persisted; null when they are kept in memory only
     * @param created shown the switch, read-only, as soon as it exists and before any port is added
     *                (so that listeners can name the ports the next steps add)
     * @param changes told about every committed change
     */
    public static ControlPlane start(AgentConfig config, ConfigFile file, DeviceOpener opener, FdbListener fdbListener,
                                     PortListener portListener, Consumer<SwitchView> created,
                                     Consumer<ConfigChange> changes) throws Exception {
        SwitchOptions options = SwitchOptions.defaults()
                .withName(config.name())
                .withMacTableSize(config.macTableSize())
                .withAgingMillis(config.agingSeconds() * 1000L)
                .withThreads(config.datapathOrDefault().threads())
                .withSpinMicros(config.datapathOrDefault().spinMicros());
        Switch sw = new Switch(options, fdbListener, portListener);
        AgentConfig running = config;
        TransientPorts transients = TransientPorts.NONE;
        DeviceOpener devices = opener;
        if (config.vxlan() != null) {
            devices = opener.forTunnel(tunnelOptions(config));
            List<PortSpec> ports = new ArrayList<>(config.ports());
            for (PortSpec tunnel : tunnelPorts(config.vxlan())) {
                ports.add(tunnel);
                transients = transients.with(tunnel.name(), VXLAN_OWNER);
            }
            running = config.withPorts(ports);
        }
        try {
            created.accept(new SwitchView(sw));
            for (PortSpec spec : running.ports()) {
                sw.addPort(devices.open(spec), spec.toPortConfig());
            }
            for (MirrorSpec m : config.mirrors()) {
                sw.addMirror(m.toMirrorConfig());
            }
            for (StaticMacSpec e : config.staticMacs()) {
                sw.fdb().addStatic(e.vlan(), MacAddress.parse(e.mac()), sw.topology().idOf(e.port()));
            }
        } catch (Exception e) {
            sw.close();
            throw e;
        }
        return new ControlPlane(sw, running, transients, file, devices, changes);
    }

    /** The tunnel endpoint's settings from the {@code vxlan} section (its address defaulting to the cluster's). */
    public static TunnelOptions tunnelOptions(AgentConfig config) {
        VxlanSpec v = config.vxlan();
        String address = v.address() != null ? v.address() : config.cluster().address();
        return new TunnelOptions(TunnelOptions.parse(address), v.port(), v.underlayMtu(), VniMap.of(v.vniBase(), v.vniMap()));
    }

    /**
     * The ports the {@code vxlan} section makes: the endpoint ({@value #ENDPOINT_PORT}) and one port
     * per static VTEP, a trunk of the VLANs its VNIs carry. They are not written back to the file's
     * {@code ports}: the section is their configuration.
     */
    static List<PortSpec> tunnelPorts(VxlanSpec v) {
        List<PortSpec> out = new ArrayList<>();
        out.add(PortSpec.tunnel(ENDPOINT_PORT));
        for (int i = 0; i < v.staticVteps().size(); i++) {
            VxlanSpec.StaticVtep s = v.staticVteps().get(i);
            int[] vlans = s.vnis().stream().mapToInt(v::vlanOf).filter(vlan -> vlan > 0).sorted().toArray();
            VlanConfig trunk = VlanConfig.trunk(vlans.length == 0 ? VlanSet.EMPTY : VlanSet.of(vlans));
            out.add(PortSpec.vtep(s.name() != null ? s.name() : "vtep-s" + i, s.address() + ":" + s.port(),
                    VlanSpec.of(trunk)));
        }
        return out;
    }
}
