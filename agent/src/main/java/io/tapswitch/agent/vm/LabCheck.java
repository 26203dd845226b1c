package io.tapswitch.agent.vm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One check of a lab's {@code checks:} section: a name plus exactly one kind, which states in the
 * lab file what the lab demonstrates (who reaches whom, what stays isolated, what a mirror shows),
 * so that {@code tapswitch vm test} can prove it. The YAML shape is fixed in
 * {@code vm-configs/README.md}; {@link LabValidator} makes sure exactly one kind is present.
 *
 * <p>The kinds are nullable components rather than a sealed hierarchy because the YAML names the
 * kind by its key ({@code ping: {...}}), which maps onto components without type annotations and
 * keeps Jackson's unknown-field errors naming the path.
 *
 * @param name      unique within the lab, {@code [A-Za-z0-9._-]+}
 * @param ping      ICMP echo from one VM to another VM or an address
 * @param tcp       a TCP transfer whose md5 must arrive intact
 * @param isolation every VM of one list must fail to reach every VM of the other
 * @param mirror    a monitor VM's capture must see a ping flow between two other VMs
 * @param exec      a shell command in a guest with an expected exit status and output
 */
public record LabCheck(String name, Ping ping, Tcp tcp, Isolation isolation, Mirror mirror, Exec exec) {
    /** Pings a check sends when {@code count} is not given. */
    public static final int DEFAULT_PING_COUNT = 3;
    /** Bytes a TCP check sends when {@code bytes} is not given (1 MiB). */
    public static final long DEFAULT_TCP_BYTES = 1L << 20;
    /** Pings a mirror check sends when {@code count} is not given. */
    public static final int DEFAULT_MIRROR_COUNT = 5;

    /**
     * {@code ping: {from, to, expect, count, size, df}}.
     *
     * @param from   VM the pings are sent from
     * @param to     VM name, or an IPv4 or IPv6 address
     * @param expect {@code ok} (every ping answered, the default) or {@code fail} (none answered)
     * @param count  pings to send, 1 to 1000
     * @param size   ICMP payload bytes, 0 to 65507
     * @param df     whether the pings must cross without being fragmented
     */
    public record Ping(String from, String to, String expect, Integer count, Integer size, Boolean df) {
        /** Whether the pings are expected to be answered. */
        public boolean expectOk() {
            return !"fail".equals(expect);
        }

        public int effectiveCount() {
            return count == null ? DEFAULT_PING_COUNT : count;
        }

        public boolean effectiveDf() {
            return Boolean.TRUE.equals(df);
        }
    }

    /**
     * {@code tcp: {from, to, bytes, minMbit}}.
     *
     * @param from    VM that sends
     * @param to      VM that receives (or an address of a listener the check cannot start: a VM is needed)
     * @param bytes   bytes of random data to send, 1 to 1 GiB
     * @param minMbit lowest acceptable throughput in Mbit/s, or null for none
     */
    public record Tcp(String from, String to, Long bytes, Double minMbit) {
        public long effectiveBytes() {
            return bytes == null ? DEFAULT_TCP_BYTES : bytes;
        }
    }

    /**
     * {@code isolation: {from: [...], to: [...]}}: no VM of {@code from} reaches a VM of {@code to}.
     */
    public record Isolation(List<String> from, List<String> to) {
        public Isolation {
            from = from == null ? List.of() : List.copyOf(from);
            to = to == null ? List.of() : List.copyOf(to);
        }
    }

    /**
     * {@code mirror: {monitor, from, to, count}}: the monitor VM's capture sees {@code count} echo
     * requests of a ping flow from {@code from} to {@code to}.
     */
    public record Mirror(String monitor, String from, String to, Integer count) {
        public int effectiveCount() {
            return count == null ? DEFAULT_MIRROR_COUNT : count;
        }
    }

    /**
     * {@code exec: {vm, command, expectExit, expectOutput}}.
     *
     * @param expectOutput Java regular expression searched for in the output, or null
     */
    public record Exec(String vm, String command, Integer expectExit, String expectOutput) {
        public int effectiveExpectExit() {
            return expectExit == null ? 0 : expectExit;
        }
    }

    /** The names of the kinds present, in declaration order; a valid check has exactly one. */
    public List<String> kinds() {
        List<String> kinds = new ArrayList<>();
        if (ping != null) {
            kinds.add("ping");
        }
        if (tcp != null) {
            kinds.add("tcp");
        }
        if (isolation != null) {
            kinds.add("isolation");
        }
        if (mirror != null) {
            kinds.add("mirror");
        }
        if (exec != null) {
            kinds.add("exec");
        }
        return kinds;
    }

    /** The check's kind ({@code ping}, {@code tcp}, ...), or {@code none} for an invalid check. */
    public String kind() {
        List<String> kinds = kinds();
        return kinds.isEmpty() ? "none" : kinds.get(0);
    }

    /**
     * The lab VMs whose consoles the check uses, which decides what may run at the same time. An
     * address target is not a VM; the VMs a check borrows to prove a target alive are added by the
     * runner.
     */
    public Set<String> vms(LabFile lab) {
        Set<String> vms = new LinkedHashSet<>();
        if (ping != null) {
            vms.add(ping.from());
            addIfVm(vms, lab, ping.to());
        } else if (tcp != null) {
            vms.add(tcp.from());
            addIfVm(vms, lab, tcp.to());
        } else if (isolation != null) {
            vms.addAll(isolation.from());
            vms.addAll(isolation.to());
        } else if (mirror != null) {
            vms.add(mirror.monitor());
            vms.add(mirror.from());
            addIfVm(vms, lab, mirror.to());
        } else if (exec != null) {
            vms.add(exec.vm());
        }
        vms.remove(null);
        return vms;
    }

    private static void addIfVm(Set<String> vms, LabFile lab, String name) {
        if (name != null && lab.vms().stream().anyMatch(v -> v.name().equals(name))) {
            vms.add(name);
        }
    }
}
