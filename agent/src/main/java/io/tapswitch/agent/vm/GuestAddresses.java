package io.tapswitch.agent.vm;

import java.util.ArrayList;
import java.util.List;

/**
 * The addresses a lab file gives a guest, on its NICs and on the VLAN and QinQ subinterfaces its
 * own kernel makes, with their prefix lengths ({@code 198.18.10.11/16}). Checks name VMs rather
 * than addresses, so these are what a check's target VM is reached at.
 */
public final class GuestAddresses {
    private GuestAddresses() {
    }

    /** Every IPv4 address with prefix of {@code vm}, in NIC order, NIC address before subinterfaces. */
    public static List<String> ipv4(LabFile.Vm vm) {
        List<String> out = new ArrayList<>();
        for (LabFile.Nic nic : vm.nics()) {
            addIf(out, nic.ip());
            nic.vlans().forEach(v -> addIf(out, v.ip()));
            nic.qinq().forEach(q -> addIf(out, q.ip()));
        }
        return out;
    }

    /** Every IPv6 address with prefix of {@code vm}, in the same order. */
    public static List<String> ipv6(LabFile.Vm vm) {
        List<String> out = new ArrayList<>();
        for (LabFile.Nic nic : vm.nics()) {
            addIf(out, nic.ip6());
            nic.vlans().forEach(v -> addIf(out, v.ip6()));
            nic.qinq().forEach(q -> addIf(out, q.ip6()));
        }
        return out;
    }

    /** Whether the lab file gives {@code vm} any address at all. */
    public static boolean hasAny(LabFile.Vm vm) {
        return !ipv4(vm).isEmpty() || !ipv6(vm).isEmpty();
    }

    private static void addIf(List<String> out, String cidr) {
        if (cidr != null) {
            out.add(cidr);
        }
    }
}
