package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanMode;
import io.tapswitch.core.vlan.VlanSet;

/**
 * A port's VLAN settings as written in the configuration file and in API requests.
 *
 * <p>Kept as text and numbers rather than as a {@link VlanConfig} so that a bad value can be
 * reported against its own field ({@code vlan.trunks}) instead of failing the whole document in the
 * parser; {@link ConfigValidator} turns it into a {@code VlanConfig}.
 *
 * @param mode   {@code access}, {@code trunk}, {@code native-untagged}, {@code native-tagged} or {@code dot1q-tunnel}
 * @param tag    the access, native or S-VLAN ID; absent (0) for trunks
 * @param trunks allowed VLANs as ranges ({@code 10,20-29}); empty means all
 * @param tpid   ethertype of the S-tag of a dot1q-tunnel port; absent means the mode's default
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VlanSpec(String mode, Integer tag, String trunks, Integer tpid) {
    @JsonCreator
    public VlanSpec(@JsonProperty("mode") String mode,
                    @JsonProperty("tag") Integer tag,
                    @JsonProperty("trunks") String trunks,
                    @JsonProperty("tpid") Integer tpid) {
        this.mode = mode;
        this.tag = tag;
        this.trunks = trunks;
        this.tpid = tpid;
    }

    /** The settings of {@code config}, written the way a user would write them. */
    public static VlanSpec of(VlanConfig config) {
        boolean defaultTpid = config.tpid() == new VlanConfig(config.mode(), config.tag(), config.trunks(), 0).tpid();
        return new VlanSpec(config.mode().wireName(),
                config.mode() == VlanMode.TRUNK ? null : config.tag(),
                config.trunks().isEmpty() ? null : config.trunks().toString(),
                defaultTpid ? null : config.tpid());
    }

    /**
     * Builds the engine's configuration.
     *
     * @throws IllegalArgumentException with a message starting with the offending field's name
     */
    public VlanConfig toVlanConfig() {
        if (mode == null) {
            throw new IllegalArgumentException("mode: is required");
        }
        VlanMode m;
        try {
            m = VlanMode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mode: " + e.getMessage(), e);
        }
        VlanSet set;
        try {
            set = VlanSet.parse(trunks);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trunks: " + e.getMessage(), e);
        }
        return new VlanConfig(m, tag == null ? 0 : tag, set, tpid == null ? 0 : tpid);
    }
}
