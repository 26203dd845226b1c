package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The {@code vxlan} section: this host's VXLAN tunnel endpoint (RFC 7348), which carries the
 * switch's VLANs to the other hosts of the fabric, and to VTEPs that are not agents (a kernel vxlan
 * device, Open vSwitch, an EVPN router).
 *
 * <p>VLAN {@code v} travels as VNI {@code vniBase + v} unless {@code vniMap} says otherwise; VXLAN
 * adds 50 bytes, so on an underlay of MTU {@code underlayMtu} guests need an MTU of at most
 * {@code underlayMtu - 50} (QEMU's {@code host_mtu}) for frames that are not segmented by the switch.
 *
 * @param address     the local underlay IPv4 address (default: the cluster section's address)
 * @param port        the UDP port (default {@value #DEFAULT_PORT}; another when a kernel vxlan device or
 *                    OVS on the same host holds 4789)
 * @param underlayMtu the underlay's MTU (default {@value #DEFAULT_UNDERLAY_MTU})
 * @param vniBase     VNI of VLAN 0 (default {@value #DEFAULT_VNI_BASE})
 * @param vniMap      explicit VLAN → VNI mappings, overriding {@code vniBase}
 * @param staticVteps VTEPs that are not agents, each with the VNIs it serves
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record VxlanSpec(String address, int port, int underlayMtu, int vniBase, Map<Integer, Integer> vniMap,
                        List<StaticVtep> staticVteps) {
    public static final int DEFAULT_PORT = 4789;
    public static final int DEFAULT_UNDERLAY_MTU = 1500;
    public static final int DEFAULT_VNI_BASE = 10000;

    @JsonCreator
    public VxlanSpec(@JsonProperty("address") String address,
                     @JsonProperty("port") Integer port,
                     @JsonProperty("underlayMtu") Integer underlayMtu,
                     @JsonProperty("vniBase") Integer vniBase,
                     @JsonProperty("vniMap") Map<Integer, Integer> vniMap,
                     @JsonProperty("staticVteps") List<StaticVtep> staticVteps) {
        this(address, port == null ? DEFAULT_PORT : port, underlayMtu == null ? DEFAULT_UNDERLAY_MTU : underlayMtu,
                vniBase == null ? DEFAULT_VNI_BASE : vniBase,
                vniMap == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(vniMap)),
                staticVteps == null ? List.of()
                        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(staticVteps)));
    }

    /** The VLAN VNI {@code vni} carries under this mapping, or -1. */
    public int vlanOf(int vni) {
        for (Map.Entry<Integer, Integer> e : vniMap.entrySet()) {
            if (e.getValue() != null && e.getValue() == vni) {
                return e.getKey();
            }
        }
        int vlan = vni - vniBase;
        return vlan >= 0 && vlan <= 4094 && !vniMap.containsKey(vlan) ? vlan : -1;
    }

    /** The VNI VLAN {@code vlan} travels as under this mapping. */
    public int vniOf(int vlan) {
        Integer mapped = vniMap.get(vlan);
        return mapped != null ? mapped : vniBase + vlan;
    }

    /**
     * A VTEP that is not an agent: it is in the flood list of each of its VNIs from the start, and
     * stays there whatever the cluster says.
     *
     * @param name    its port's name on this switch (default {@code vtep-ADDRESS} with dots as dashes, cut to 15)
     * @param address its underlay IPv4 address
     * @param port    its UDP port (default {@value VxlanSpec#DEFAULT_PORT})
     * @param vnis    the VNIs it serves; each must map to a VLAN
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StaticVtep(String name, String address, int port, List<Integer> vnis) {
        @JsonCreator
        public StaticVtep(@JsonProperty("name") String name,
                          @JsonProperty("address") String address,
                          @JsonProperty("port") Integer port,
                          @JsonProperty("vnis") List<Integer> vnis) {
            this(name, address, port == null ? DEFAULT_PORT : port,
                    vnis == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(vnis)));
        }
    }
}
