package io.tapswitch.agent.vm;

import io.tapswitch.agent.config.VxlanSpec;
import io.tapswitch.agent.state.ConflictException;
import io.tapswitch.agent.state.InvalidRequestException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the VMs of a lab run: the agent that brings a lab up starts the VMs with no {@code host:} or
 * its own name itself, and asks each other host of the fabric to start its share. Deciding that, and
 * refusing a lab the fabric cannot wire, is kept apart from starting anything so that a refusal
 * leaves nothing behind.
 *
 * @param local  the VMs this agent starts, in lab order
 * @param remote for each other host, the VMs it starts, in lab order (hosts in order of first mention)
 */
public record LabHosts(List<String> local, Map<String, List<String>> remote) {
    /** The largest VNI: VXLAN's network identifier has 24 bits. */
    private static final int MAX_VNI = (1 << 24) - 1;

    public LabHosts {
        local = List.copyOf(local);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        remote.forEach((h, vms) -> copy.put(h, List.copyOf(vms)));
        remote = java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * Groups a lab's VMs by host.
     *
     * @param self   the names of this agent: its {@code name}, and its host name in the fabric
     * @param hosts  the other hosts the fabric knows now (from their adverts); empty when this agent runs alone
     * @param vxlan  this agent's VXLAN section, null without one
     * @throws InvalidRequestException naming {@code vms[i].host} when a VM names a host that is not in the
     *                                 fabric, or {@code vms[i].nics[j]...} when a VLAN of a VM elsewhere
     *                                 cannot travel over the fabric
     * @throws ConflictException       when a mirror would need ports on two hosts
     */
    public static LabHosts of(LabFile lab, Set<String> self, Set<String> hosts, VxlanSpec vxlan) {
        List<String> local = new ArrayList<>();
        Map<String, List<String>> remote = new LinkedHashMap<>();
        for (int i = 0; i < lab.vms().size(); i++) {
            LabFile.Vm vm = lab.vms().get(i);
            String host = vm.host();
            if (host == null || self.contains(host)) {
                local.add(vm.name());
                continue;
            }
            if (!hosts.contains(host)) {
                throw new InvalidRequestException("vms[" + i + "].host", "VM " + vm.name() + " is to run on host '" + host
                        + "', which is not in this agent's fabric (" + (hosts.isEmpty() ? "this agent runs alone"
                        : "others known: " + String.join(", ", new java.util.TreeSet<>(hosts))) + ")");
            }
            if (vxlan == null) {
                throw new InvalidRequestException("vms[" + i + "].host", "VM " + vm.name() + " is to run on host '" + host
                        + "', but this agent has no vxlan section to carry its VLANs there");
            }
            checkCarried(vm, i, vxlan);
            remote.computeIfAbsent(host, h -> new ArrayList<>()).add(vm.name());
        }
        LabHosts plan = new LabHosts(local, remote);
        for (int m = 0; m < lab.mirrors().size(); m++) {
            LabFile.Mirror mirror = lab.mirrors().get(m);
            Set<String> on = new HashSet<>();
            List<String> ports = new ArrayList<>(mirror.sources());
            ports.add(mirror.output());
            for (String port : ports) {
                lab.vms().stream().filter(v -> v.ports().contains(port)).findFirst()
                        .ifPresent(v -> on.add(plan.hostOf(v.name())));
            }
            if (on.size() > 1) {
                throw new InvalidRequestException("mirrors[" + m + "]", "mirror " + mirror.name()
                        + " has ports on hosts " + new java.util.TreeSet<>(on) + "; a mirror's ports must be on one host");
            }
        }
        return plan;
    }

    /** The other host VM {@code vm} runs on (one of {@link #remote}'s keys), or "" when it runs here. */
    public String hostOf(String vm) {
        for (Map.Entry<String, List<String>> e : remote.entrySet()) {
            if (e.getValue().contains(vm)) {
                return e.getKey();
            }
        }
        return "";
    }

    /** Every VLAN a NIC of {@code vm} puts on the switch must map to a VNI, or it cannot leave this host. */
    private static void checkCarried(LabFile.Vm vm, int i, VxlanSpec vxlan) {
        for (int j = 0; j < vm.nics().size(); j++) {
            LabFile.Nic nic = vm.nics().get(j);
            String field = "vms[" + i + "].nics[" + j + "]";
            List<Integer> vlans = new ArrayList<>();
            List<String> fields = new ArrayList<>();
            add(vlans, fields, nic.vlan() == null && nic.trunk().isEmpty() && nic.tunnel() == null ? Integer.valueOf(1) : nic.vlan(), field + ".vlan");
            add(vlans, fields, nic.nativeVlan(), field + ".nativeVlan");
            add(vlans, fields, nic.tunnel(), field + ".tunnel");
            for (int t = 0; t < nic.trunk().size(); t++) {
                add(vlans, fields, nic.trunk().get(t), field + ".trunk[" + t + "]");
            }
            for (int k = 0; k < vlans.size(); k++) {
                int vni = vxlan.vniOf(vlans.get(k));
                if (vni < 1 || vni > MAX_VNI) {
                    throw new InvalidRequestException(fields.get(k), "VLAN " + vlans.get(k) + " of VM " + vm.name()
                            + " on host '" + vm.host() + "' is not carried by the fabric: it would travel as VNI " + vni
                            + ", outside 1.." + MAX_VNI + " (see vxlan.vniBase and vxlan.vniMap)");
                }
            }
        }
    }

    private static void add(List<Integer> vlans, List<String> fields, Integer vlan, String field) {
        if (vlan != null) {
            vlans.add(vlan);
            fields.add(field);
        }
    }

    /**
     * The part of {@code lab} made of the VMs {@code vms}: their NICs, and the mirrors whose ports are all
     * theirs. Checks stay with the whole lab (they are run by the agent the lab was brought up from).
     */
    public static LabFile share(LabFile lab, java.util.Collection<String> vms) {
        List<LabFile.Vm> kept = lab.vms().stream().filter(v -> vms.contains(v.name())).toList();
        Set<String> ports = new HashSet<>();
        kept.forEach(v -> ports.addAll(v.ports()));
        List<LabFile.Mirror> mirrors = lab.mirrors().stream()
                .filter(m -> ports.contains(m.output()) && ports.containsAll(m.sources())).toList();
        return new LabFile(lab.name(), lab.guest(), kept, mirrors, lab.user(), List.of());
    }
}
