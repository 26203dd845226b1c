package io.tapswitch.core.engine;

import io.tapswitch.core.impair.LinkImpairment;
import io.tapswitch.core.vlan.VlanConfig;

/**
 * The configurable part of a port, immutable: changing it means publishing a new {@link Topology}.
 *
 * @param name    port name (the network interface name)
 * @param adminUp whether the port forwards at all
 * @param vlan    VLAN mode and membership
 * @param security bound on learned stations
 * @param storm   flood rate limits
 * @param impair  link impairment (loss, delay, rate...) per direction; null for a perfect link, which
 *                is the one check the frame path makes per frame and direction
 */
public record PortConfig(String name, boolean adminUp, VlanConfig vlan, PortSecurity security, StormControl storm,
                         LinkImpairment impair) {
    public PortConfig {
        if (vlan == null) {
            vlan = VlanConfig.DEFAULT;
        }
        if (security == null) {
            security = PortSecurity.NONE;
        }
        if (storm == null) {
            storm = StormControl.NONE;
        }
    }

    public PortConfig(String name, boolean adminUp, VlanConfig vlan, PortSecurity security, StormControl storm) {
        this(name, adminUp, vlan, security, storm, null);
    }

    public PortConfig(String name, boolean adminUp, VlanConfig vlan) {
        this(name, adminUp, vlan, PortSecurity.NONE, StormControl.NONE);
    }

    public PortConfig(String name, boolean adminUp) {
        this(name, adminUp, VlanConfig.DEFAULT, PortSecurity.NONE, StormControl.NONE);
    }

    public static PortConfig enabled(String name) {
        return new PortConfig(name, true, VlanConfig.DEFAULT, PortSecurity.NONE, StormControl.NONE);
    }

    public PortConfig withAdminUp(boolean up) {
        return new PortConfig(name, up, vlan, security, storm, impair);
    }

    public PortConfig withVlan(VlanConfig newVlan) {
        return new PortConfig(name, adminUp, newVlan, security, storm, impair);
    }

    public PortConfig withSecurity(PortSecurity newSecurity) {
        return new PortConfig(name, adminUp, vlan, newSecurity, storm, impair);
    }

    public PortConfig withStorm(StormControl newStorm) {
        return new PortConfig(name, adminUp, vlan, security, newStorm, impair);
    }

    public PortConfig withImpair(LinkImpairment newImpair) {
        return new PortConfig(name, adminUp, vlan, security, storm, newImpair);
    }
}
