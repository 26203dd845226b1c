package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.PortSecurity;
import io.tapswitch.core.engine.StormControl;
import io.tapswitch.core.vlan.VlanConfig;

/**
 * A port as written in the configuration file and in API requests.
 *
 * @param name       network interface name (1–15 characters)
 * @param kind       how the switch reaches the device
 * @param create     whether to create the TAP, attach to an existing one, or either
 * @param persistent keep a TAP the switch created after it stops
 * @param enabled    administrative state
 * @param vlan       VLAN mode and membership; absent means a trunk of all VLANs
 * @param security   bound on the stations the port may have learned; absent means none
 * @param storm      flood rate limits; absent means none
 * @param remote     for a {@code vtep} port only: the remote VTEP, {@code address:port}
 * @param impair     link impairment per direction (loss, delay, rate...); absent means none
 */
public record PortSpec(String name, PortKindSpec kind, CreateMode create, boolean persistent, boolean enabled,
                       @JsonInclude(JsonInclude.Include.NON_NULL) VlanSpec vlan,
                       @JsonInclude(JsonInclude.Include.NON_NULL) SecuritySpec security,
                       @JsonInclude(JsonInclude.Include.NON_NULL) StormSpec storm,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String remote,
                       @JsonInclude(JsonInclude.Include.NON_NULL) ImpairSpec impair) {
    @JsonCreator
    public PortSpec(@JsonProperty("name") String name,
                    @JsonProperty("kind") PortKindSpec kind,
                    @JsonProperty("create") CreateMode create,
                    @JsonProperty("persistent") Boolean persistent,
                    @JsonProperty("enabled") Boolean enabled,
                    @JsonProperty("vlan") VlanSpec vlan,
                    @JsonProperty("security") SecuritySpec security,
                    @JsonProperty("storm") StormSpec storm,
                    @JsonProperty("remote") String remote,
                    @JsonProperty("impair") ImpairSpec impair) {
        this(name, kind == null ? PortKindSpec.TAP : kind, create == null ? CreateMode.AUTO : create,
                persistent != null && persistent, enabled == null || enabled, vlan, security, storm, remote, impair);
    }

    public PortSpec(String name, PortKindSpec kind, CreateMode create, boolean persistent, boolean enabled,
                    VlanSpec vlan, SecuritySpec security, StormSpec storm, String remote) {
        this(name, kind, create, persistent, enabled, vlan, security, storm, remote, null);
    }

    public PortSpec(String name, PortKindSpec kind, CreateMode create, boolean persistent, boolean enabled, VlanSpec vlan) {
        this(name, kind, create, persistent, enabled, vlan, null, null, null);
    }

    public PortSpec(String name, PortKindSpec kind, CreateMode create, boolean persistent, boolean enabled) {
        this(name, kind, create, persistent, enabled, null, null, null, null);
    }

    public static PortSpec tap(String name) {
        return new PortSpec(name, PortKindSpec.TAP, CreateMode.AUTO, false, true, null, null, null, null);
    }

    /** The port of this host's tunnel endpoint. */
    public static PortSpec tunnel(String name) {
        return new PortSpec(name, PortKindSpec.TUNNEL, CreateMode.AUTO, false, true, null, null, null, null);
    }

    /** The port of a remote VTEP {@code remote} ({@code address:port}), carrying the VLANs of {@code vlan}. */
    public static PortSpec vtep(String name, String remote, VlanSpec vlan) {
        return new PortSpec(name, PortKindSpec.VTEP, CreateMode.AUTO, false, true, vlan, null, null, remote);
    }

    public PortSpec withEnabled(boolean up) {
        return new PortSpec(name, kind, create, persistent, up, vlan, security, storm, remote, impair);
    }

    public PortSpec withVlan(VlanSpec newVlan) {
        return new PortSpec(name, kind, create, persistent, enabled, newVlan, security, storm, remote, impair);
    }

    public PortSpec withSecurity(SecuritySpec newSecurity) {
        return new PortSpec(name, kind, create, persistent, enabled, vlan, newSecurity, storm, remote, impair);
    }

    public PortSpec withStorm(StormSpec newStorm) {
        return new PortSpec(name, kind, create, persistent, enabled, vlan, security, newStorm, remote, impair);
    }

    public PortSpec withImpair(ImpairSpec newImpair) {
        return new PortSpec(name, kind, create, persistent, enabled, vlan, security, storm, remote, newImpair);
    }

    /** The switch's configuration of this port; call after validation. */
    public PortConfig toPortConfig() {
        return new PortConfig(name, enabled, vlan == null ? VlanConfig.DEFAULT : vlan.toVlanConfig(),
                security == null ? PortSecurity.NONE : security.toPortSecurity(),
                storm == null ? StormControl.NONE : storm.toStormControl(),
                impair == null ? null : impair.toLinkImpairment());
    }

    /** Port kinds accepted in the file. */
    public enum PortKindSpec {
        @JsonProperty("tap") TAP,
        @JsonProperty("netdev") NETDEV,
        /** A remote VXLAN tunnel endpoint; made by the {@code vxlan} section and the fabric, never by hand. */
        @JsonProperty("vtep") VTEP,
        /** This host's VXLAN tunnel endpoint (its UDP socket), which reads for every remote VTEP; made by the {@code vxlan} section. */
        @JsonProperty("tunnel") TUNNEL
    }

    /** Whether a TAP port may create its device, must find it, or either. */
    public enum CreateMode {
        @JsonProperty("auto") AUTO,
        @JsonProperty("create") CREATE,
        @JsonProperty("attach") ATTACH
    }
}
