package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.vlan.VlanSet;

import java.util.List;
import java.util.TreeSet;

/**
 * A mirror as written in the configuration file and in API requests; see {@link MirrorConfig} for
 * what each field selects.
 *
 * @param vlans selected VLANs as ranges ({@code 10,20-29})
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record MirrorSpec(String name, List<String> srcPorts, List<String> dstPorts, String vlans,
                         @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean all,
                         String outputPort,
                         @JsonInclude(JsonInclude.Include.NON_DEFAULT) int outputVlan,
                         @JsonInclude(JsonInclude.Include.NON_DEFAULT) int snaplen) {
    @JsonCreator
    public MirrorSpec(@JsonProperty("name") String name,
                      @JsonProperty("srcPorts") List<String> srcPorts,
                      @JsonProperty("dstPorts") List<String> dstPorts,
                      @JsonProperty("vlans") String vlans,
                      @JsonProperty("all") Boolean all,
                      @JsonProperty("outputPort") String outputPort,
                      @JsonProperty("outputVlan") Integer outputVlan,
                      @JsonProperty("snaplen") Integer snaplen) {
        this(name, srcPorts == null ? List.of() : List.copyOf(srcPorts), dstPorts == null ? List.of() : List.copyOf(dstPorts),
                vlans == null ? "" : vlans, all != null && all, outputPort,
                outputVlan == null ? 0 : outputVlan, snaplen == null ? 0 : snaplen);
    }

    /** The mirror as a user would write it, port lists sorted so that files are stable. */
    public static MirrorSpec of(MirrorConfig c) {
        return new MirrorSpec(c.name(), List.copyOf(new TreeSet<>(c.srcPorts())), List.copyOf(new TreeSet<>(c.dstPorts())),
                c.vlans().toString(), c.all(), c.outputPort(), c.outputVlan(), c.snaplen());
    }

    /**
     * Builds the engine's configuration.
     *
     * @throws IllegalArgumentException with a message starting with the offending field's name
     */
    public MirrorConfig toMirrorConfig() {
        VlanSet set;
        try {
            set = VlanSet.parse(vlans);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vlans: " + e.getMessage(), e);
        }
        return new MirrorConfig(name, new TreeSet<>(srcPorts), new TreeSet<>(dstPorts), set, all, outputPort, outputVlan, snaplen);
    }

    /** Every port name the mirror refers to. */
    public List<String> portNames() {
        List<String> names = new java.util.ArrayList<>(srcPorts);
        names.addAll(dstPorts);
        if (outputPort != null) {
            names.add(outputPort);
        }
        return names;
    }
}
