package io.tapswitch.core.tunnel;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which VXLAN segment (VNI) carries which VLAN, both ways, immutable.
 *
 * <p>One VNI per VLAN is the common mapping (EVPN's "VLAN-based service"): VLAN {@code v} travels in
 * VNI {@code base + v}, unless it is mapped explicitly. VLAN 0, the untagged traffic of trunk
 * ports, is a VLAN like the others here (VNI {@code base}), so a lab that uses no VLANs still
 * crosses hosts. A VNI carries one VLAN only; a map in which two VLANs would share one is refused
 * when it is made, naming both. With no base, only the explicit VLANs are carried.
 *
 * <p>{@link #PROBE_VNI} is reserved: it is never mapped and carries only the tunnel health probes
 * between tapswitch endpoints. A kernel or Open vSwitch VTEP that receives one drops it as a VNI it
 * does not have.
 *
 * <p>Lookups are on the frame path in both directions: {@link #vni(int)} is an array index, and
 * {@link #vlan(int)} an index for a VNI of the base range and a binary search among the explicit
 * ones otherwise. Neither allocates.
 */
public final class VniMap {
    /** The VNI of tunnel health probes, never mapped to a VLAN. */
    public static final int PROBE_VNI = 0xffffff;
    /** The largest VNI a VLAN may map to (VNIs are 24 bits, and the last one is {@link #PROBE_VNI}). */
    public static final int MAX_VNI = PROBE_VNI - 1;
    /** The largest VLAN carried: VID 4095 is reserved and never sent. */
    public static final int MAX_VLAN = 4094;
    /** The base of {@link #defaults()}: VLAN 10 travels in VNI 10010. */
    public static final int DEFAULT_BASE = 10000;
    /** {@link #base()} of a map without one. */
    public static final int NO_BASE = -1;

    private final int base;
    private final Map<Integer, Integer> explicit;
    /** By VLAN: its VNI, or -1. */
    private final int[] vniOfVlan = new int[MAX_VLAN + 1];
    /** Explicitly mapped VNIs, sorted, with their VLANs at the same index. */
    private final int[] explicitVnis;
    private final int[] explicitVlans;

    private VniMap(int base, Map<Integer, Integer> explicitMap) {
        if (base != NO_BASE && (base < 0 || base + MAX_VLAN > MAX_VNI)) {
            throw new IllegalArgumentException("base: " + base + " is outside 0-" + (MAX_VNI - MAX_VLAN)
                    + " (VNI base + 4094 must stay below the reserved VNI " + PROBE_VNI + ")");
        }
        TreeMap<Integer, Integer> byVlan = new TreeMap<>(explicitMap);
        Map<Integer, Integer> vlanOfVni = new TreeMap<>();
        for (Map.Entry<Integer, Integer> e : byVlan.entrySet()) {
            int vlan = e.getKey();
            int vni = e.getValue();
            if (vlan < 0 || vlan > MAX_VLAN) {
                throw new IllegalArgumentException("vlan: " + vlan + " is outside 0-" + MAX_VLAN);
            }
            if (vni < 0 || vni > MAX_VNI) {
                throw new IllegalArgumentException("vni: " + vni + " for VLAN " + vlan + " is outside 0-" + MAX_VNI
                        + (vni == PROBE_VNI ? " (reserved for tunnel probes)" : ""));
            }
            Integer other = vlanOfVni.put(vni, vlan);
            if (other != null) {
                throw new IllegalArgumentException("vni: " + vni + " is mapped to both VLAN " + other + " and VLAN " + vlan);
            }
        }
        Arrays.fill(vniOfVlan, -1);
        if (base != NO_BASE) {
            for (int vlan = 0; vlan <= MAX_VLAN; vlan++) {
                if (byVlan.containsKey(vlan)) {
                    continue;
                }
                int vni = base + vlan;
                Integer other = vlanOfVni.get(vni);
                if (other != null) {
                    throw new IllegalArgumentException("vni: " + vni + " is mapped explicitly to VLAN " + other
                            + " but is also VLAN " + vlan + "'s by base " + base + "; map VLAN " + other
                            + " outside " + base + "-" + (base + MAX_VLAN));
                }
                vniOfVlan[vlan] = vni;
            }
        }
        byVlan.forEach((vlan, vni) -> vniOfVlan[vlan] = vni);
        this.base = base;
        this.explicit = Map.copyOf(byVlan);
        this.explicitVnis = vlanOfVni.keySet().stream().mapToInt(Integer::intValue).toArray();
        this.explicitVlans = vlanOfVni.values().stream().mapToInt(Integer::intValue).toArray();
    }

    /** Every VLAN {@code v} (0–4094) in VNI {@code base + v}. */
    public static VniMap base(int base) {
        return new VniMap(base, Map.of());
    }

    /** VLAN v in VNI {@value #DEFAULT_BASE} + v. */
    public static VniMap defaults() {
        return base(DEFAULT_BASE);
    }

    /** Only the VLANs of {@code vlanToVni}, each in its VNI. */
    public static VniMap explicit(Map<Integer, Integer> vlanToVni) {
        return new VniMap(NO_BASE, vlanToVni);
    }

    /** The VLANs of {@code vlanToVni} in their VNIs, every other VLAN {@code v} in {@code base + v}. */
    public static VniMap of(int base, Map<Integer, Integer> vlanToVni) {
        return new VniMap(base, vlanToVni);
    }

    /** The VNI carrying {@code vlan}, or -1 when it is not carried (or not a VLAN). */
    public int vni(int vlan) {
        return vlan >= 0 && vlan <= MAX_VLAN ? vniOfVlan[vlan] : -1;
    }

    /** The VLAN VNI {@code vni} carries, or -1 for a VNI that carries none ({@link #PROBE_VNI} included). */
    public int vlan(int vni) {
        if (base != NO_BASE) {
            int vlan = vni - base;
            if (vlan >= 0 && vlan <= MAX_VLAN && vniOfVlan[vlan] == vni) {
                return vlan;
            }
        }
        int i = Arrays.binarySearch(explicitVnis, vni);
        return i >= 0 ? explicitVlans[i] : -1;
    }

    /** The base, or {@link #NO_BASE}. */
    public int base() {
        return base;
    }

    /** The explicit mappings, VLAN to VNI. */
    public Map<Integer, Integer> explicit() {
        return explicit;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VniMap other && base == other.base && explicit.equals(other.explicit);
    }

    @Override
    public int hashCode() {
        return 31 * base + explicit.hashCode();
    }

    @Override
    public String toString() {
        return "VniMap[base " + (base == NO_BASE ? "none" : base) + ", explicit " + new TreeMap<>(explicit) + "]";
    }
}
