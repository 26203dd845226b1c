package io.tapswitch.agent.vm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a lab file must follow before anything touches the host.
 *
 * <p>Names end up as interface names, file names and QEMU option values, so
 * they are restricted to a small safe alphabet instead of being escaped; that
 * also rules out option injection through commas in QEMU arguments. Every
 * problem is reported with the path of its field so a user can find it.
 */
final class LabValidator {
    /** Linux IFNAMSIZ is 16 including the terminating NUL. */
    static final int MAX_IFNAME = 15;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    private static final Pattern IPV4_CIDR =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/(3[0-2]|[12]?\\d)");
    private static final Pattern IPV6_CIDR = Pattern.compile("[0-9A-Fa-f:.]+/(12[0-8]|1[01]\\d|[1-9]?\\d)");
    private static final Set<String> MACHINES = Set.of("q35", "pc");
    private static final Set<String> DIRECTIONS = Set.of("ingress", "egress", "both");

    private final List<String> problems = new ArrayList<>();

    private LabValidator() {
    }

    /** Returns every rule violation in {@code lab}; an empty list means the lab is valid. */
    static List<String> validate(LabFile lab) {
        LabValidator v = new LabValidator();
        v.checkLab(lab);
        return v.problems;
    }

    private void checkLab(LabFile lab) {
        checkName("name", lab.name(), 64);
        if (lab.user() != null && !USER.matcher(lab.user()).matches()) {
            problem("user", "must be a user name (letters, digits, _ . -) but was '" + lab.user() + "'");
        }
        LabFile.Guest g = lab.guest();
        checkRange("guest.memory", g.memory(), 32, 1 << 20);
        checkRange("guest.vcpus", g.vcpus(), 1, 256);
        if (g.machine() != null && !MACHINES.contains(g.machine())) {
            problem("guest.machine", "must be one of " + MACHINES + " but was '" + g.machine() + "'");
        }
        checkAppend("guest.append", g.append());
        checkPaths("guest", g.kernel(), g.initrd(), g.disk());
        if (lab.vms().isEmpty()) {
            problem("vms", "a lab needs at least one VM");
        }
        Map<String, String> vmNames = new HashMap<>();
        Map<String, String> ports = new HashMap<>();
        Map<String, String> macs = new HashMap<>();
        for (int i = 0; i < lab.vms().size(); i++) {
            checkVm("vms[" + i + "]", lab.vms().get(i), g, vmNames, ports, macs);
        }
        Set<String> mirrorNames = new HashSet<>();
        for (int i = 0; i < lab.mirrors().size(); i++) {
            checkMirror("mirrors[" + i + "]", lab.mirrors().get(i), ports.keySet(), mirrorNames);
        }
        CheckValidator.validate(lab, this::problem);
    }

    private void checkVm(String at, LabFile.Vm vm, LabFile.Guest g, Map<String, String> names,
                         Map<String, String> ports, Map<String, String> macs) {
        if (vm == null) {
            problem(at, "empty VM entry");
            return;
        }
        if (checkName(at + ".name", vm.name(), 64)) {
            unique(at + ".name", vm.name(), names, "VM name");
        }
        if (vm.host() != null) {
            checkName(at + ".host", vm.host(), 64);
        }
        checkRange(at + ".memory", vm.memory(), 32, 1 << 20);
        checkRange(at + ".vcpus", vm.vcpus(), 1, 256);
        checkAppend(at + ".append", vm.append());
        boolean bootsOwnDisk = LabFile.bootsOwnDisk(vm);
        String kernel = bootsOwnDisk ? null : vm.kernel() != null ? vm.kernel() : g.kernel();
        String initrd = bootsOwnDisk ? vm.initrd() : vm.initrd() != null ? vm.initrd() : g.initrd();
        String disk = vm.disk() != null ? vm.disk() : g.disk();
        if (kernel == null && disk == null) {
            problem(at, "needs a kernel (with an optional initrd) or a disk image, here or in guest");
        }
        if (initrd != null && kernel == null) {
            problem(at + ".initrd", "an initrd needs a kernel");
        }
        checkPaths(at, vm.kernel(), vm.initrd(), vm.disk());
        if (vm.run() != null && vm.run().isBlank()) {
            problem(at + ".run", "must not be blank");
        }
        for (int j = 0; j < vm.nics().size(); j++) {
            checkNic(at + ".nics[" + j + "]", vm.nics().get(j), ports, macs);
        }
    }

    /**
     * Checks the file paths where they are written, so that a bad {@code guest.kernel} is reported
     * once against {@code guest}, not against every VM that inherits it.
     */
    private void checkPaths(String at, String kernel, String initrd, String disk) {
        for (String[] file : new String[][] {{"kernel", kernel}, {"initrd", initrd}, {"disk", disk}}) {
            if (file[1] != null && (file[1].isBlank() || file[1].contains(","))) {
                problem(at + "." + file[0], "path must not be empty or contain ','");
            }
        }
    }

    private void checkNic(String at, LabFile.Nic nic, Map<String, String> ports, Map<String, String> macs) {
        if (nic == null) {
            problem(at, "empty NIC entry");
            return;
        }
        if (nic.port() == null) {
            problem(at + ".port", "is required");
        } else if (nic.port().length() > MAX_IFNAME) {
            problem(at + ".port", "interface name longer than " + MAX_IFNAME + " characters: '" + nic.port() + "'");
        } else if (checkName(at + ".port", nic.port(), MAX_IFNAME)) {
            unique(at + ".port", nic.port(), ports, "port");
        }
        if (nic.mac() == null) {
            problem(at + ".mac", "is required");
        } else if (!MAC.matcher(nic.mac()).matches()) {
            problem(at + ".mac", "must look like 52:54:00:12:34:56 but was '" + nic.mac() + "'");
        } else if ((Integer.parseInt(nic.mac().substring(0, 2), 16) & 1) != 0) {
            problem(at + ".mac", "is a multicast address; a NIC needs a unicast MAC");
        } else {
            unique(at + ".mac", nic.mac().toLowerCase(Locale.ROOT), macs, "MAC");
        }
        checkIpv4(at + ".ip", nic.ip());
        checkIpv6(at + ".ip6", nic.ip6());
        checkVlanId(at + ".vlan", nic.vlan());
        checkVlanId(at + ".nativeVlan", nic.nativeVlan());
        checkVlanId(at + ".tunnel", nic.tunnel());
        if (nic.tunnel() != null && (nic.vlan() != null || !nic.trunk().isEmpty())) {
            problem(at + ".tunnel", "a dot1q-tunnel port has no access VLAN or trunk list");
        }
        if (nic.vlan() != null && !nic.trunk().isEmpty()) {
            problem(at, "a port is either an access port (vlan) or a trunk (trunk), not both");
        }
        if (nic.nativeVlan() != null && nic.trunk().isEmpty()) {
            problem(at + ".nativeVlan", "only applies to a trunk port");
        }
        Set<Integer> trunk = new HashSet<>();
        for (int k = 0; k < nic.trunk().size(); k++) {
            Integer id = nic.trunk().get(k);
            if (checkVlanId(at + ".trunk[" + k + "]", id) && !trunk.add(id)) {
                problem(at + ".trunk[" + k + "]", "VLAN " + id + " is listed twice");
            }
        }
        Set<Integer> subIds = new HashSet<>();
        for (int k = 0; k < nic.vlans().size(); k++) {
            String sub = at + ".vlans[" + k + "]";
            LabFile.GuestVlan v = nic.vlans().get(k);
            if (v == null) {
                problem(sub, "empty entry");
                continue;
            }
            if (v.id() == null) {
                problem(sub + ".id", "is required");
            } else if (checkVlanId(sub + ".id", v.id()) && !subIds.add(v.id())) {
                problem(sub + ".id", "subinterface " + v.id() + " is defined twice");
            }
            checkIpv4(sub + ".ip", v.ip());
            checkIpv6(sub + ".ip6", v.ip6());
        }
        Set<String> qinqIds = new HashSet<>();
        for (int k = 0; k < nic.qinq().size(); k++) {
            String sub = at + ".qinq[" + k + "]";
            LabFile.GuestQinq q = nic.qinq().get(k);
            if (q == null) {
                problem(sub, "empty entry");
                continue;
            }
            if (q.outer() == null) {
                problem(sub + ".outer", "is required");
            } else if (checkVlanId(sub + ".outer", q.outer())) {
                if (subIds.contains(q.outer())) {
                    problem(sub + ".outer", "clashes with the 802.1Q subinterface of the same id");
                }
                if (!qinqIds.add(q.outer() + ":" + q.inner())) {
                    problem(sub, "defined twice");
                }
            }
            checkVlanId(sub + ".inner", q.inner());
            checkIpv4(sub + ".ip", q.ip());
            checkIpv6(sub + ".ip6", q.ip6());
        }
        if (nic.impair() != null) {
            checkImpair(at + ".impair", nic.impair());
        }
    }

    /** The same ranges as a port's {@code impair} in the agent's config, under this NIC's path. */
    private void checkImpair(String at, io.tapswitch.agent.config.ImpairSpec impair) {
        List<io.tapswitch.agent.config.FieldError> errors = new ArrayList<>();
        io.tapswitch.agent.config.ImpairValidator.impair(impair, at, errors);
        for (io.tapswitch.agent.config.FieldError e : errors) {
            problem(e.field(), e.reason());
        }
    }

    private void checkMirror(String at, LabFile.Mirror m, Set<String> ports, Set<String> names) {
        if (m == null) {
            problem(at, "empty mirror entry");
            return;
        }
        if (checkName(at + ".name", m.name(), 64) && !names.add(m.name())) {
            problem(at + ".name", "mirror '" + m.name() + "' is defined twice");
        }
        if (m.output() == null) {
            problem(at + ".output", "is required");
        } else if (!ports.contains(m.output())) {
            problem(at + ".output", "'" + m.output() + "' is not a port of this lab");
        }
        if (m.sources().isEmpty()) {
            problem(at + ".sources", "needs at least one port");
        }
        for (int k = 0; k < m.sources().size(); k++) {
            String src = m.sources().get(k);
            if (!ports.contains(src)) {
                problem(at + ".sources[" + k + "]", "'" + src + "' is not a port of this lab");
            } else if (src.equals(m.output())) {
                problem(at + ".sources[" + k + "]", "the output port cannot also be a source");
            }
        }
        if (m.direction() != null && !DIRECTIONS.contains(m.direction())) {
            problem(at + ".direction", "must be one of ingress, egress, both but was '" + m.direction() + "'");
        }
    }

    private boolean checkName(String at, String value, int maxLength) {
        if (value == null || value.isEmpty()) {
            problem(at, "is required");
            return false;
        }
        if (value.length() > maxLength) {
            problem(at, "longer than " + maxLength + " characters: '" + value + "'");
            return false;
        }
        if (!NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            problem(at, "'" + value + "' may only contain letters, digits, '-', '_' and '.', starting with a letter or digit");
            return false;
        }
        return true;
    }

    private void unique(String at, String value, Map<String, String> seen, String what) {
        String first = seen.putIfAbsent(value, at);
        if (first != null) {
            problem(at, what + " '" + value + "' is already used at " + first);
        }
    }

    private void checkRange(String at, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            problem(at, "must be between " + min + " and " + max + " but was " + value);
        }
    }

    private boolean checkVlanId(String at, Integer id) {
        if (id != null && (id < 1 || id > 4094)) {
            problem(at, "VLAN id must be between 1 and 4094 but was " + id);
            return false;
        }
        return id != null;
    }

    private void checkIpv4(String at, String cidr) {
        if (cidr != null && !IPV4_CIDR.matcher(cidr).matches()) {
            problem(at, "must be an IPv4 address with prefix length like 198.18.0.11/24 but was '" + cidr + "'");
        }
    }

    private void checkIpv6(String at, String cidr) {
        if (cidr == null) {
            return;
        }
        boolean ok = IPV6_CIDR.matcher(cidr).matches() && cidr.contains(":");
        if (ok) {
            try {
                // The pattern admits only literal characters, so this never triggers a DNS lookup.
                ok = java.net.InetAddress.getByName(cidr.substring(0, cidr.indexOf('/'))) instanceof java.net.Inet6Address;
            } catch (java.net.UnknownHostException e) {
                ok = false;
            }
        }
        if (!ok) {
            problem(at, "must be an IPv6 address with prefix length like fd00:7473::11/64 but was '" + cidr + "'");
        }
    }

    private void checkAppend(String at, String append) {
        if (append != null && (append.contains("\n") || append.contains("\0"))) {
            problem(at, "must be a single line");
        }
    }

    private void problem(String at, String message) {
        problems.add(at + ": " + message);
    }
}
