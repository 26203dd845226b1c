package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A port as written in the configuration file.
 *
 * @param name       network interface name (1–15 characters)
 * @param kind       how the switch reaches the device
 * @param create     whether to create the TAP, attach to an existing one, or either
 * @param persistent keep a TAP the switch created after it stops
 * @param enabled    administrative state
 */
public record PortSpec(String name, PortKindSpec kind, CreateMode create, boolean persistent, boolean enabled) {
    @JsonCreator
    public PortSpec(@JsonProperty("name") String name,
                    @JsonProperty("kind") PortKindSpec kind,
                    @JsonProperty("create") CreateMode create,
                    @JsonProperty("persistent") Boolean persistent,
                    @JsonProperty("enabled") Boolean enabled) {
        this(name, kind == null ? PortKindSpec.TAP : kind, create == null ? CreateMode.AUTO : create,
                persistent != null && persistent, enabled == null || enabled);
    }

    public static PortSpec tap(String name) {
        return new PortSpec(name, PortKindSpec.TAP, CreateMode.AUTO, false, true);
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
