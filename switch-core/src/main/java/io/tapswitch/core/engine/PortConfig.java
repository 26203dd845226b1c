package io.tapswitch.core.engine;

import io.tapswitch.core.vlan.VlanConfig;

/**
 * The configurable part of a port, immutable: changing it means publishing a new {@link Topology}.
 *
 * @param name    port name (the network interface name)
 * @param adminUp whether the port forwards at all
 * @param vlan    VLAN mode and membership
 */
public record PortConfig(String name, boolean adminUp, VlanConfig vlan) {
    public PortConfig {
        if (vlan == null) {
            vlan = VlanConfig.DEFAULT;
        }
    }

    public PortConfig(String name, boolean adminUp) {
        this(name, adminUp, VlanConfig.DEFAULT);
    }

    public static PortConfig enabled(String name) {
        return new PortConfig(name, true, VlanConfig.DEFAULT);
    }

    public PortConfig withAdminUp(boolean up) {
        return new PortConfig(name, up, vlan);
    }

    public PortConfig withVlan(VlanConfig newVlan) {
        return new PortConfig(name, adminUp, newVlan);
    }
}
