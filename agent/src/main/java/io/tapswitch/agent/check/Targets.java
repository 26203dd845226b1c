package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.GuestAddresses;
import io.tapswitch.agent.vm.LabFile;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which address of a target VM a check sends to. Checks name VMs, but a VM may have several
 * addresses (a trunk guest has one per VLAN subinterface), and only the one on the source's
 * segment tests what the check means: of the target's addresses the first one both ends see as
 * on-link (each inside the other's prefix) on the same switch segment wins, then one both ends see
 * as on-link, then one inside the source's prefix, then the first IPv4 address, then the first IPv6
 * one. The segment of an address is what the lab file says about the frames carrying it: the
 * access VLAN, the 802.1Q subinterface's VLAN on a trunk, or the S-VLAN and C-VLAN of QinQ.
 */
final class Targets {
    private final LabFile lab;

    Targets(LabFile lab) {
        this.lab = lab;
    }

    /** The address {@code from} reaches {@code to} at; {@code to} may be a literal address. */
    String address(String from, String to) {
        if (lab.vms().stream().noneMatch(v -> v.name().equals(to))) {
            return to;
        }
        LabFile.Vm src = lab.vm(from);
        LabFile.Vm dst = lab.vm(to);
        Optional<String> best = sameSegment(src, dst).map(p -> p[1])
                .or(() -> pick(GuestAddresses.ipv4(src), GuestAddresses.ipv4(dst), true))
                .or(() -> pick(GuestAddresses.ipv6(src), GuestAddresses.ipv6(dst), true))
                .or(() -> pick(GuestAddresses.ipv4(src), GuestAddresses.ipv4(dst), false))
                .or(() -> pick(GuestAddresses.ipv6(src), GuestAddresses.ipv6(dst), false));
        if (best.isPresent()) {
            return best.get();
        }
        List<String> all = new ArrayList<>(GuestAddresses.ipv4(dst));
        all.addAll(GuestAddresses.ipv6(dst));
        if (all.isEmpty()) {
            throw new IllegalArgumentException("VM " + to + " has no address");
        }
        return host(all.get(0));
    }

    /**
     * Whether {@code from} shares a segment with {@code to} as far as the lab file says: some
     * address of each is inside the other's prefix. Used to find a VM that can prove a target alive.
     */
    boolean onLink(String from, String to) {
        LabFile.Vm src = lab.vm(from);
        LabFile.Vm dst = lab.vm(to);
        return pick(GuestAddresses.ipv4(src), GuestAddresses.ipv4(dst), true).isPresent()
                || pick(GuestAddresses.ipv6(src), GuestAddresses.ipv6(dst), true).isPresent();
    }

    /**
     * A VM other than those in {@code exclude} that shares a segment with {@code to} (same VLAN,
     * addresses on-link both ways), to prove {@code to} alive; returns {@code {vm, address of to}}.
     */
    Optional<String[]> witness(String to, java.util.Collection<String> exclude) {
        LabFile.Vm dst = lab.vm(to);
        for (LabFile.Vm v : lab.vms()) {
            if (!v.name().equals(to) && !exclude.contains(v.name())) {
                Optional<String[]> pair = sameSegment(v, dst);
                if (pair.isPresent()) {
                    return Optional.of(new String[] {v.name(), pair.get()[1]});
                }
            }
        }
        return Optional.empty();
    }

    /** The first pair {source address, target address} on-link both ways and on one segment. */
    private static Optional<String[]> sameSegment(LabFile.Vm src, LabFile.Vm dst) {
        for (String[] t : segments(dst)) {
            for (String[] s : segments(src)) {
                if (t[1].equals(s[1]) && contains(s[0], host(t[0])) && contains(t[0], host(s[0]))) {
                    return Optional.of(new String[] {host(s[0]), host(t[0])});
                }
            }
        }
        return Optional.empty();
    }

    /** Every address of {@code vm} with the segment its frames travel on: {@code {cidr, segment}}. */
    private static List<String[]> segments(LabFile.Vm vm) {
        List<String[]> out = new ArrayList<>();
        for (LabFile.Nic nic : vm.nics()) {
            String untagged = nic.tunnel() != null ? "s" + nic.tunnel() + "/-"
                    : nic.vlan() != null ? "v" + nic.vlan()
                    : !nic.trunk().isEmpty() ? (nic.nativeVlan() == null ? "native" : "v" + nic.nativeVlan())
                    : "default";
            for (String cidr : new String[] {nic.ip(), nic.ip6()}) {
                if (cidr != null) {
                    out.add(new String[] {cidr, untagged});
                }
            }
            for (LabFile.GuestVlan v : nic.vlans()) {
                String seg = nic.tunnel() != null ? "s" + nic.tunnel() + "/" + v.id()
                        : nic.vlan() != null ? untagged + "/" + v.id() : "v" + v.id();
                addBoth(out, v.ip(), v.ip6(), seg);
            }
            for (LabFile.GuestQinq q : nic.qinq()) {
                addBoth(out, q.ip(), q.ip6(), "s" + q.outer() + "/" + (q.inner() == null ? "-" : q.inner()));
            }
        }
        return out;
    }

    private static void addBoth(List<String[]> out, String ip, String ip6, String segment) {
        if (ip != null) {
            out.add(new String[] {ip, segment});
        }
        if (ip6 != null) {
            out.add(new String[] {ip6, segment});
        }
    }

    private static Optional<String> pick(List<String> sources, List<String> targets, boolean mutual) {
        for (String t : targets) {
            for (String s : sources) {
                if (contains(s, host(t)) && (!mutual || contains(t, host(s)))) {
                    return Optional.of(host(t));
                }
            }
        }
        return Optional.empty();
    }

    /** The address part of {@code 198.18.0.1/24}. */
    static String host(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    /** Whether {@code address} lies inside the prefix of {@code cidr}. */
    static boolean contains(String cidr, String address) {
        try {
            byte[] net = InetAddress.getByName(host(cidr)).getAddress();
            byte[] a = InetAddress.getByName(address).getAddress();
            if (net.length != a.length) {
                return false;
            }
            int bits = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
            for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((net[i] & mask) != (a[i] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | RuntimeException e) {
            // validated literals only; anything else simply does not match
            return false;
        }
    }
}
