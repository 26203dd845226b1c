package io.tapswitch.core.vlan;

import io.tapswitch.core.frame.Ethernet;

/**
 * A port's VLAN configuration, immutable.
 *
 * @param mode   the port's mode
 * @param tag    the access VLAN (access), the native VLAN (native-*), the S-VLAN (dot1q-tunnel); 0 for trunk
 * @param trunks allowed VLANs on trunk and native modes (empty = all 1–4094)
 * @param tpid   for dot1q-tunnel ports, the ethertype of the S-tag their frames get on trunks (0x88a8
 *               unless configured, 0x8100 for "Q-in-Q with 802.1Q outer tags"); 0x8100 for every other
 *               mode, where tags keep the TPID they arrived with and new tags are 0x8100
 */
public record VlanConfig(VlanMode mode, int tag, VlanSet trunks, int tpid) {
    /** Open vSwitch's default: a trunk of all VLANs, untagged frames in VLAN 0. */
    public static final VlanConfig DEFAULT = new VlanConfig(VlanMode.TRUNK, 0, VlanSet.EMPTY, Ethernet.ETH_P_8021Q);

    public VlanConfig {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
        if (trunks == null) {
            trunks = VlanSet.EMPTY;
        }
        if (tpid == 0) {
            tpid = mode == VlanMode.DOT1Q_TUNNEL ? Ethernet.ETH_P_8021AD : Ethernet.ETH_P_8021Q;
        }
        if (mode != VlanMode.DOT1Q_TUNNEL && tpid != Ethernet.ETH_P_8021Q) {
            throw new IllegalArgumentException("tpid: only dot1q-tunnel ports choose a tag ethertype");
        }
        switch (mode) {
            case TRUNK -> {
                if (tag != 0) {
                    throw new IllegalArgumentException("tag: a trunk port has no tag (use native-untagged or native-tagged)");
                }
            }
            case ACCESS, NATIVE_UNTAGGED, NATIVE_TAGGED, DOT1Q_TUNNEL -> {
                if (tag < VlanSet.MIN_VID || tag > VlanSet.MAX_VID) {
                    throw new IllegalArgumentException("tag: " + mode.wireName() + " needs a VLAN ID in 1-4094, was " + tag);
                }
            }
        }
        if (mode == VlanMode.DOT1Q_TUNNEL && !trunks.isEmpty()) {
            throw new IllegalArgumentException("trunks: a dot1q-tunnel port carries one S-VLAN, given by tag");
        }
        if (mode == VlanMode.ACCESS && !trunks.isEmpty()) {
            throw new IllegalArgumentException("trunks: an access port carries one VLAN, given by tag");
        }
        if (tpid < 0x600 || tpid > 0xffff) {
            throw new IllegalArgumentException("tpid: 0x" + Integer.toHexString(tpid) + " is not an ethertype");
        }
    }

    public static VlanConfig access(int vlan) {
        return new VlanConfig(VlanMode.ACCESS, vlan, VlanSet.EMPTY, 0);
    }

    public static VlanConfig trunk(VlanSet allowed) {
        return new VlanConfig(VlanMode.TRUNK, 0, allowed, 0);
    }

    public static VlanConfig nativeUntagged(int vlan, VlanSet allowed) {
        return new VlanConfig(VlanMode.NATIVE_UNTAGGED, vlan, allowed, 0);
    }

    public static VlanConfig nativeTagged(int vlan, VlanSet allowed) {
        return new VlanConfig(VlanMode.NATIVE_TAGGED, vlan, allowed, 0);
    }

    public static VlanConfig dot1qTunnel(int svlan) {
        return new VlanConfig(VlanMode.DOT1Q_TUNNEL, svlan, VlanSet.EMPTY, 0);
    }

    public VlanConfig withTpid(int newTpid) {
        return new VlanConfig(mode, tag, trunks, newTpid);
    }
}
