package io.tapswitch.agent.host;

import io.tapswitch.core.sys.NetDevice;

import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace standing for one lab host, managed with iproute2.
 *
 * <p>Closing deletes the namespace; interfaces moved into it that the switch still holds are
 * removed by the switch when its ports close, which must happen first.
 */
public final class Netns implements AutoCloseable {
    private final String name;
    private volatile boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates namespace {@code name}, replacing a stale one left by a crashed run. */
    public static Netns create(String name) {
        NetDevice.checkName(name);
        if (exists(name)) {
            HostCommand.run(List.of("ip", "netns", "del", name));
        }
        HostCommand.check("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public static boolean exists(String name) {
        CommandResult r = HostCommand.run(List.of("ip", "netns", "list"));
        for (String line : r.output().split("\n")) {
            String first = line.trim().split("\\s+")[0];
            if (first.equals(name)) {
                return true;
            }
        }
        return false;
    }

    public String name() {
        return name;
    }

    /** Moves interface {@code ifname} of the current namespace into this one. */
    public void adopt(String ifname) {
        HostCommand.check("ip", "link", "set", "dev", ifname, "netns", name);
    }

    /** Sets MAC, IPv4/IPv6 addresses (CIDR; null to skip) and brings the interface up. */
    public void configure(String ifname, String mac, String ipv4Cidr, String ipv6Cidr) {
        if (mac != null) {
            exec("ip", "link", "set", "dev", ifname, "address", mac);
        }
        if (ipv6Cidr != null) {
            exec("sysctl", "-q", "-w", "net.ipv6.conf." + ifname + ".disable_ipv6=0");
            exec("sysctl", "-q", "-w", "net.ipv6.conf." + ifname + ".accept_dad=0");
        } else {
            // A host without an IPv6 address keeps quiet: no router solicitations or MLD reports
            // that would teach the switch its MAC, or fill a capture, behind a test's back.
            exec("sysctl", "-q", "-w", "net.ipv6.conf." + ifname + ".disable_ipv6=1");
        }
        exec("ip", "link", "set", "dev", ifname, "up");
        if (ipv4Cidr != null) {
            exec("ip", "addr", "add", ipv4Cidr, "dev", ifname);
        }
        if (ipv6Cidr != null) {
            exec("ip", "-6", "addr", "add", ipv6Cidr, "dev", ifname, "nodad");
        }
    }

    /** Runs a command inside the namespace and returns its output, throwing if it fails. */
    public String exec(String... argv) {
        return HostCommand.check(inside(argv)).output();
    }

    /** Runs a command inside the namespace and returns the result whatever it is. */
    public CommandResult run(String... argv) {
        return HostCommand.run(inside(argv));
    }

    /** The argument list that runs {@code argv} inside this namespace. */
    public List<String> inside(String... argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(argv));
        return full;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        HostCommand.run(List.of("ip", "netns", "del", name));
    }
}
