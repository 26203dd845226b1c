package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A forwarding-database entry pinned by the operator: never learned away, never aged.
 *
 * @param mac  unicast MAC address, {@code aa:bb:cc:dd:ee:ff}
 * @param vlan VLAN the entry belongs to (0 for untagged traffic of trunk ports)
 * @param port the port frames to {@code mac} go to
 */
public record StaticMacSpec(String mac, int vlan, String port) {
    @JsonCreator
    public StaticMacSpec(@JsonProperty("mac") String mac,
                         @JsonProperty("vlan") Integer vlan,
                         @JsonProperty("port") String port) {
        this(mac, vlan == null ? 0 : vlan, port);
    }
}
