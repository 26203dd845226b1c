package io.tapswitch.core.vlan;

/**
 * Port VLAN modes, with Open vSwitch's names and semantics.
 */
public enum VlanMode {
    /** One VLAN, untagged on the wire; tagged input with a nonzero VID is dropped. */
    ACCESS("access"),
    /** Tagged, VLANs from the allowed list (empty = 1–4094); untagged input belongs to VLAN 0 and leaves untagged. */
    TRUNK("trunk"),
    /** Trunk plus a native VLAN that is sent untagged; untagged input joins the native VLAN. */
    NATIVE_UNTAGGED("native-untagged"),
    /** Trunk plus a native VLAN; untagged input joins it, but it is sent tagged. */
    NATIVE_TAGGED("native-tagged"),
    /**
     * 802.1ad customer port: every frame (of any C-tag, or none) is carried in the S-VLAN on trunks,
     * with an S-tag of the configured ethertype (0x88a8); the S-tag is removed on the way out here.
     */
    DOT1Q_TUNNEL("dot1q-tunnel");

    private final String wireName;

    VlanMode(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in configuration files and the API. */
    public String wireName() {
        return wireName;
    }

    public static VlanMode parse(String text) {
        for (VlanMode m : values()) {
            if (m.wireName.equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown VLAN mode '" + text
                + "' (one of access, trunk, native-untagged, native-tagged, dot1q-tunnel)");
    }
}
