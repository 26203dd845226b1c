package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.core.fdb.MacTable;

import java.util.List;

/**
 * The agent's configuration file, immutable. Defaults are those of Open vSwitch and the Linux
 * bridge: 8192 MAC entries, 300 s aging.
 *
 * @param name         switch name
 * @param macTableSize bound of the MAC table
 * @param agingSeconds MAC aging time
 * @param ports        the ports, in order
 */
public record AgentConfig(String name, int macTableSize, int agingSeconds, List<PortSpec> ports) {
    public static final int DEFAULT_AGING_SECONDS = (int) (MacTable.DEFAULT_AGING_MILLIS / 1000);

    @JsonCreator
    public AgentConfig(@JsonProperty("name") String name,
                       @JsonProperty("macTableSize") Integer macTableSize,
                       @JsonProperty("agingSeconds") Integer agingSeconds,
                       @JsonProperty("ports") List<PortSpec> ports) {
        this(name == null ? "tapswitch" : name,
                macTableSize == null ? MacTable.DEFAULT_MAX_ENTRIES : macTableSize,
                agingSeconds == null ? DEFAULT_AGING_SECONDS : agingSeconds,
                ports == null ? List.of() : List.copyOf(ports));
    }

    public AgentConfig withPorts(List<PortSpec> newPorts) {
        return new AgentConfig(name, macTableSize, agingSeconds, List.copyOf(newPorts));
    }
}
