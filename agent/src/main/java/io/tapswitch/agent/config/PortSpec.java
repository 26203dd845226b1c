package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A port as written in the configuration file and in API requests.
 *
 * @param name       network interface name (1–15 characters)
 * @param kind       how the switch reaches the device
 * @param create     whether to create the TAP, attach to an existing one, or either
 * @param persistent keep a TAP the switch created after it stops
 * @param enabled    administrative state
 * @param vlan       VLAN mode and membership; absent means a trunk of all VLANs
 */
public record PortSpec(String name, PortKindSpec kind, CreateMode create, boolean persistent, boolean enabled,
                       @JsonInclude(JsonInclude.Include.NON_NULL) VlanSpec vlan) {
    @JsonCreator
    public PortSpec(@JsonProperty("name") String name,
                    @JsonProperty("kind") PortKindSpec kind,
                    @JsonProperty("create") CreateMode create,
                    @JsonProperty("persistent") Boolean persistent,
                    @JsonProperty("enabled") Boolean enabled,
                    @JsonProperty("vlan") VlanSpec vlan) {
        this(name, kind == null ? PortKindSpec.TAP : kind, create == null ? CreateMode.AUTO : create,
                persistent != null && persistent, enabled == null || enabled, vlan);
    }

    public PortSpec(String name, PortKindSpec kind, CreateMode create, boolean persistent, boolean enabled) {
        this(name, kind, create, persistent, enabled, null);
    }

    public static PortSpec tap(String name) {
        return new PortSpec(name, PortKindSpec.TAP, CreateMode.AUTO, false, true, null);
    }

    public PortSpec withEnabled(boolean up) {
        return new PortSpec(name, kind, create, persistent, up, vlan);
    }

    public PortSpec withVlan(VlanSpec newVlan) {
        return new PortSpec(name, kind, create, persistent, enabled, newVlan);
    }

    /** Port kinds accepted in the file. */
    public enum PortKindSpec {
        @JsonProperty("tap") TAP,
        @JsonProperty("netdev") NETDEV
    }

    /** Whether a TAP port may create its device, must find it, or either. */
    public enum CreateMode {
        @JsonProperty("auto") AUTO,
        @JsonProperty("create") CREATE,
        @JsonProperty("attach") ATTACH
    }
}
