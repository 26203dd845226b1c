package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.tapswitch.core.fdb.MacTable;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The agent's configuration file, immutable. Defaults are those of Open vSwitch and the Linux
 * bridge: 8192 MAC entries, 300 s aging.
 *
 * <p>It is also the agent's persisted state: every change made through the API produces a new
 * {@code AgentConfig} that is written back to the file, so that a restart restores the same switch.
 *
 * @param name         switch name
 * @param macTableSize bound of the MAC table
 * @param agingSeconds MAC aging time
 * @param http         where the control-plane API listens
 * @param ports        the ports, in order
 * @param mirrors      port mirrors
 * @param staticMacs   forwarding entries pinned by the operator
 * @param cluster      how this agent joins the others of a multi-host fabric; absent: it runs alone
 * @param vxlan        its VXLAN tunnel endpoint; absent: no tunnels
 * @param datapath     event-loop threads and spinning ({@link DatapathSpec}); absent: the defaults. Read at
 *                     start: a change takes effect when the agent restarts
 */
@JsonPropertyOrder({"name", "macTableSize", "agingSeconds", "http", "cluster", "vxlan", "ports", "mirrors", "staticMacs", "datapath"})
public record AgentConfig(String name, int macTableSize, int agingSeconds, HttpSpec http, List<PortSpec> ports,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<MirrorSpec> mirrors,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<StaticMacSpec> staticMacs,
                          @JsonInclude(JsonInclude.Include.NON_NULL) ClusterSpec cluster,
                          @JsonInclude(JsonInclude.Include.NON_NULL) VxlanSpec vxlan,
                          @JsonInclude(JsonInclude.Include.NON_NULL) DatapathSpec datapath) {
    public static final String DEFAULT_NAME = "tapswitch";
    public static final int DEFAULT_AGING_SECONDS = (int) (MacTable.DEFAULT_AGING_MILLIS / 1000);
    public static final int DEFAULT_MAC_TABLE_SIZE = MacTable.DEFAULT_MAX_ENTRIES;

    @JsonCreator
    public AgentConfig(@JsonProperty("name") String name,
                       @JsonProperty("macTableSize") Integer macTableSize,
                       @JsonProperty("agingSeconds") Integer agingSeconds,
                       @JsonProperty("http") HttpSpec http,
                       @JsonProperty("ports") List<PortSpec> ports,
                       @JsonProperty("mirrors") List<MirrorSpec> mirrors,
                       @JsonProperty("staticMacs") List<StaticMacSpec> staticMacs,
                       @JsonProperty("cluster") ClusterSpec cluster,
                       @JsonProperty("vxlan") VxlanSpec vxlan,
                       @JsonProperty("datapath") DatapathSpec datapath) {
        this(name == null ? DEFAULT_NAME : name,
                macTableSize == null ? DEFAULT_MAC_TABLE_SIZE : macTableSize,
                agingSeconds == null ? DEFAULT_AGING_SECONDS : agingSeconds,
                http == null ? HttpSpec.DEFAULT : http,
                ports == null ? List.of() : nullable(ports),
                mirrors == null ? List.of() : nullable(mirrors),
                staticMacs == null ? List.of() : nullable(staticMacs), cluster, vxlan, datapath);
    }

    /** A switch with the default datapath. */
    public AgentConfig(String name, Integer macTableSize, Integer agingSeconds, HttpSpec http, List<PortSpec> ports,
                       List<MirrorSpec> mirrors, List<StaticMacSpec> staticMacs, ClusterSpec cluster, VxlanSpec vxlan) {
        this(name, macTableSize, agingSeconds, http, ports, mirrors, staticMacs, cluster, vxlan, (DatapathSpec) null);
    }

    /** A switch on one host: no cluster, no tunnels. */
    public AgentConfig(String name, Integer macTableSize, Integer agingSeconds, HttpSpec http, List<PortSpec> ports,
                       List<MirrorSpec> mirrors, List<StaticMacSpec> staticMacs) {
        this(name, macTableSize, agingSeconds, http, ports, mirrors, staticMacs, null, null, (DatapathSpec) null);
    }

    public AgentConfig(String name, Integer macTableSize, Integer agingSeconds, List<PortSpec> ports) {
        this(name, macTableSize, agingSeconds, null, ports, null, null, null, null, (DatapathSpec) null);
    }

    /** Copies a list that may hold nulls, which validation then reports by index. */
    private static <T> List<T> nullable(List<T> list) {
        return java.util.Collections.unmodifiableList(new java.util.ArrayList<>(list));
    }

    public AgentConfig withPorts(List<PortSpec> newPorts) {
        return new AgentConfig(name, macTableSize, agingSeconds, http, List.copyOf(newPorts), mirrors, staticMacs, cluster, vxlan, datapath);
    }

    public AgentConfig withMirrors(List<MirrorSpec> newMirrors) {
        return new AgentConfig(name, macTableSize, agingSeconds, http, ports, List.copyOf(newMirrors), staticMacs, cluster, vxlan, datapath);
    }

    public AgentConfig withStaticMacs(List<StaticMacSpec> newStaticMacs) {
        return new AgentConfig(name, macTableSize, agingSeconds, http, ports, mirrors, List.copyOf(newStaticMacs), cluster, vxlan, datapath);
    }

    public AgentConfig withAgingSeconds(int seconds) {
        return new AgentConfig(name, macTableSize, seconds, http, ports, mirrors, staticMacs, cluster, vxlan, datapath);
    }

    public AgentConfig withHttp(HttpSpec newHttp) {
        return new AgentConfig(name, macTableSize, agingSeconds, newHttp, ports, mirrors, staticMacs, cluster, vxlan, datapath);
    }

    public AgentConfig withCluster(ClusterSpec newCluster) {
        return new AgentConfig(name, macTableSize, agingSeconds, http, ports, mirrors, staticMacs, newCluster, vxlan, datapath);
    }

    public AgentConfig withVxlan(VxlanSpec newVxlan) {
        return new AgentConfig(name, macTableSize, agingSeconds, http, ports, mirrors, staticMacs, cluster, newVxlan, datapath);
    }

    public AgentConfig withDatapath(DatapathSpec newDatapath) {
        return new AgentConfig(name, macTableSize, agingSeconds, http, ports, mirrors, staticMacs, cluster, vxlan, newDatapath);
    }

    /** The datapath settings in force: the configured ones, or the defaults when the section is absent. */
    public DatapathSpec datapathOrDefault() {
        return datapath == null ? DatapathSpec.DEFAULT : datapath;
    }

    /** The port named {@code portName}, or null. */
    public PortSpec port(String portName) {
        return ports.stream().filter(p -> p.name().equals(portName)).findFirst().orElse(null);
    }

    /** This configuration with the port named {@code portName} replaced by {@code change} applied to it. */
    public AgentConfig withPort(String portName, UnaryOperator<PortSpec> change) {
        return withPorts(ports.stream().map(p -> p.name().equals(portName) ? change.apply(p) : p).toList());
    }
}
