package io.tapswitch.core.engine;

import io.tapswitch.core.vlan.VlanSet;

import java.util.Set;

/**
 * A port mirror (SPAN or RSPAN), immutable.
 *
 * <p>A frame is selected when it entered through one of {@code srcPorts}, leaves through one of
 * {@code dstPorts}, or belongs to one of {@code vlans}; {@code all} selects everything. Selected
 * frames are copied once per mirror to {@code outputPort} (SPAN) or, when {@code outputVlan} is
 * set, flooded into that VLAN (RSPAN). The output port is taken out of normal forwarding.
 *
 * @param snaplen bytes of each copy to keep (0 = whole frame)
 */
public record MirrorConfig(String name, Set<String> srcPorts, Set<String> dstPorts, VlanSet vlans, boolean all,
                           String outputPort, int outputVlan, int snaplen) {
    public MirrorConfig {
        if (name == null || name.isBlank() || name.length() > 64) {
            throw new IllegalArgumentException("name: must be 1 to 64 characters");
        }
        srcPorts = srcPorts == null ? Set.of() : Set.copyOf(srcPorts);
        dstPorts = dstPorts == null ? Set.of() : Set.copyOf(dstPorts);
        vlans = vlans == null ? VlanSet.EMPTY : vlans;
        if ((outputPort == null) == (outputVlan == 0)) {
            throw new IllegalArgumentException("output: give exactly one of outputPort and outputVlan");
        }
        if (outputVlan != 0 && (outputVlan < VlanSet.MIN_VID || outputVlan > VlanSet.MAX_VID)) {
            throw new IllegalArgumentException("outputVlan: must be in 1-4094, was " + outputVlan);
        }
        if (!all && srcPorts.isEmpty() && dstPorts.isEmpty() && vlans.isEmpty()) {
            throw new IllegalArgumentException("select: give srcPorts, dstPorts, vlans or all");
        }
        if (snaplen < 0 || snaplen > 65535) {
            throw new IllegalArgumentException("snaplen: must be 0 (whole frame) to 65535, was " + snaplen);
        }
        if (outputPort != null && (srcPorts.contains(outputPort) || dstPorts.contains(outputPort))) {
            throw new IllegalArgumentException("outputPort: a mirror cannot select its own output port");
        }
    }
}
