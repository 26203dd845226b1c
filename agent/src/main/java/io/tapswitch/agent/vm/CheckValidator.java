package io.tapswitch.agent.vm;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules of a lab's {@code checks:} section (see {@link LabCheck}): unique names, exactly one
 * kind per check, VMs that exist, targets that have an address, numbers in range. Like
 * {@link LabValidator}, every problem names its field, e.g. {@code checks[2].ping.count}.
 */
final class CheckValidator {
    private static final Pattern CHECK_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final List<String> KINDS = List.of("ping", "tcp", "isolation", "mirror", "exec");

    private final LabFile lab;
    private final BiConsumer<String, String> problem;

    private CheckValidator(LabFile lab, BiConsumer<String, String> problem) {
        this.lab = lab;
        this.problem = problem;
    }

    /** Reports every problem of {@code lab}'s checks to {@code problem} as (field, message). */
    static void validate(LabFile lab, BiConsumer<String, String> problem) {
        CheckValidator v = new CheckValidator(lab, problem);
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < lab.checks().size(); i++) {
            v.check("checks[" + i + "]", lab.checks().get(i), names);
        }
    }

    /** Whether {@code text} is an IPv4 or IPv6 address literal (no prefix length). */
    static boolean isAddress(String text) {
        if (text == null) {
            return false;
        }
        if (IPV4.matcher(text).matches()) {
            return true;
        }
        if (!text.contains(":") || !IPV6_CHARS.matcher(text).matches()) {
            return false;
        }
        try {
            // Only literal characters pass the pattern, so this never triggers a DNS lookup.
            return InetAddress.getByName(text) instanceof java.net.Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private void check(String at, LabCheck c, Map<String, String> names) {
        if (c == null) {
            problem.accept(at, "empty check entry");
            return;
        }
        if (c.name() == null || c.name().isEmpty()) {
            problem.accept(at + ".name", "is required");
        } else if (!CHECK_NAME.matcher(c.name()).matches()) {
            problem.accept(at + ".name", "'" + c.name() + "' may only contain letters, digits, '.', '_' and '-'");
        } else {
            String first = names.putIfAbsent(c.name(), at);
            if (first != null) {
                problem.accept(at + ".name", "check '" + c.name() + "' is already defined at " + first);
            }
        }
        List<String> kinds = c.kinds();
        if (kinds.size() != 1) {
            problem.accept(at, kinds.isEmpty()
                    ? "needs exactly one of " + String.join(", ", KINDS)
                    : "has " + String.join(" and ", kinds) + "; a check is exactly one kind");
        }
        if (c.ping() != null) {
            ping(at + ".ping", c.ping());
        }
        if (c.tcp() != null) {
            tcp(at + ".tcp", c.tcp());
        }
        if (c.isolation() != null) {
            isolation(at + ".isolation", c.isolation());
        }
        if (c.mirror() != null) {
            mirror(at + ".mirror", c.mirror());
        }
        if (c.exec() != null) {
            exec(at + ".exec", c.exec());
        }
    }

    private void ping(String at, LabCheck.Ping p) {
        vm(at + ".from", p.from());
        target(at + ".to", p.to(), p.from());
        if (p.expect() != null && !p.expect().equals("ok") && !p.expect().equals("fail")) {
            problem.accept(at + ".expect", "must be ok or fail but was '" + p.expect() + "'");
        }
        range(at + ".count", p.count(), 1, 1000);
        range(at + ".size", p.size(), 0, 65507);
    }

    private void tcp(String at, LabCheck.Tcp t) {
        vm(at + ".from", t.from());
        if (vm(at + ".to", t.to())) {
            hasAddress(at + ".to", t.to());
            different(at + ".to", t.from(), t.to());
        }
        if (t.bytes() != null && (t.bytes() < 1 || t.bytes() > 1L << 30)) {
            problem.accept(at + ".bytes", "must be between 1 and 1073741824 but was " + t.bytes());
        }
        if (t.minMbit() != null && !(t.minMbit() > 0)) {
            problem.accept(at + ".minMbit", "must be a number above 0 but was " + t.minMbit());
        }
    }

    private void isolation(String at, LabCheck.Isolation iso) {
        vmList(at + ".from", iso.from());
        vmList(at + ".to", iso.to());
        for (int k = 0; k < iso.to().size(); k++) {
            String to = iso.to().get(k);
            if (iso.from().contains(to)) {
                problem.accept(at + ".to[" + k + "]", "'" + to + "' is also in from; a VM cannot be isolated from itself");
            } else if (exists(to)) {
                hasAddress(at + ".to[" + k + "]", to);
            }
        }
    }

    private void mirror(String at, LabCheck.Mirror m) {
        vm(at + ".monitor", m.monitor());
        vm(at + ".from", m.from());
        target(at + ".to", m.to(), m.from());
        if (m.monitor() != null && (m.monitor().equals(m.from()) || m.monitor().equals(m.to()))) {
            problem.accept(at + ".monitor", "must be a third VM, not one end of the flow it watches");
        }
        range(at + ".count", m.count(), 1, 1000);
    }

    private void exec(String at, LabCheck.Exec e) {
        vm(at + ".vm", e.vm());
        if (e.command() == null || e.command().isBlank()) {
            problem.accept(at + ".command", "is required");
        }
        if (e.expectOutput() != null) {
            try {
                Pattern.compile(e.expectOutput());
            } catch (PatternSyntaxException x) {
                problem.accept(at + ".expectOutput", "not a valid regular expression: " + x.getDescription());
            }
        }
    }

    /** A VM name or an address; a VM target must have an address and differ from {@code from}. */
    private void target(String at, String to, String from) {
        if (to == null || to.isEmpty()) {
            problem.accept(at, "is required: a VM name or an IP address");
        } else if (exists(to)) {
            hasAddress(at, to);
            different(at, from, to);
        } else if (!isAddress(to)) {
            problem.accept(at, "'" + to + "' is neither a VM of this lab nor an IP address");
        }
    }

    private boolean vm(String at, String name) {
        if (name == null || name.isEmpty()) {
            problem.accept(at, "is required: a VM name");
            return false;
        }
        if (!exists(name)) {
            problem.accept(at, "'" + name + "' is not a VM of this lab");
            return false;
        }
        return true;
    }

    private void vmList(String at, List<String> names) {
        if (names.isEmpty()) {
            problem.accept(at, "needs at least one VM");
        }
        for (int k = 0; k < names.size(); k++) {
            vm(at + "[" + k + "]", names.get(k));
        }
    }

    private void hasAddress(String at, String vm) {
        if (!GuestAddresses.hasAny(lab.vm(vm))) {
            problem.accept(at, "VM '" + vm + "' has no IP address in the lab file to reach it at");
        }
    }

    private void different(String at, String from, String to) {
        if (to.equals(from)) {
            problem.accept(at, "must be another VM than from");
        }
    }

    private boolean exists(String name) {
        return lab.vms().stream().anyMatch(v -> v != null && name.equals(v.name()));
    }

    private void range(String at, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            problem.accept(at, "must be between " + min + " and " + max + " but was " + value);
        }
    }
}
