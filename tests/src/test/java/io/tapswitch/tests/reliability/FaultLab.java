package io.tapswitch.tests.reliability;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.tests.lab.SwitchUnderTest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A switch under test for the reliability tests, with three kinds of attachment: a host in a
 * namespace on a switch-owned TAP, a host in a namespace behind a veth pair whose root end is an
 * AF_PACKET port, and a bare TAP whose netdev stays in the root namespace (for injecting frames or
 * building loops). Every name starts with the lab's prefix; closing removes the switch's ports,
 * then every link and namespace the lab made, whatever state a failed test left them in.
 */
final class FaultLab implements AutoCloseable {
    private final String prefix;
    private final SwitchUnderTest sw;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();

    FaultLab(String prefix, AgentConfig config) {
        this.prefix = prefix;
        this.sw = SwitchUnderTest.start(config);
    }

    FaultLab(String prefix) {
        this(prefix, new AgentConfig(prefix, null, null, List.of()));
    }

    SwitchUnderTest sw() {
        return sw;
    }

    String name(String suffix) {
        return prefix + "-" + suffix;
    }

    /** Port state changes announced so far, oldest first. */
    List<SwitchUnderTest.StateChange> changes() {
        return sw.changes();
    }

    SwitchPort port(String suffix) {
        return sw.port(name(suffix));
    }

    /** A namespace {@code PREFIX-suffix} with IPv6 off, so hosts only send what a test makes them send. */
    Netns namespace(String suffix) {
        Netns ns = Netns.create(name(suffix));
        namespaces.add(ns);
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    /** A host in namespace {@code PREFIX-suffix} holding the netdev of TAP port {@code PREFIX-suffix}. */
    Netns tapHost(String suffix, String mac, String ipv4Cidr) {
        String port = name(suffix);
        links.add(port);
        sw.addTap(port, VlanConfig.DEFAULT);
        Netns ns = namespace(suffix);
        ns.adopt(port);
        ns.configure(port, mac, ipv4Cidr, null);
        return ns;
    }

    /**
     * A host in namespace {@code PREFIX-suffix} behind veth {@code PREFIX-suffix} (root end, an
     * AF_PACKET port) and {@code PREFIX-suffixe} (host end).
     */
    Netns vethHost(String suffix, String mac, String ipv4Cidr) {
        Netns ns = namespace(suffix);
        connectVeth(suffix, ns, mac, ipv4Cidr);
        sw.addNetdev(name(suffix), VlanConfig.DEFAULT);
        return ns;
    }

    /** (Re)creates the veth pair of {@link #vethHost}, host end configured inside {@code ns}. */
    void connectVeth(String suffix, Netns ns, String mac, String ipv4Cidr) {
        String root = name(suffix);
        if (!links.contains(root)) {
            links.add(root);
        }
        HostCommand.check("ip", "link", "add", root, "type", "veth", "peer", "name", root + "e", "netns", ns.name());
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + root + ".disable_ipv6=1");
        HostCommand.check("ip", "link", "set", "dev", root, "up");
        ns.configure(root + "e", mac, ipv4Cidr, null);
    }

    /** A TAP port {@code PREFIX-suffix} whose netdev stays in the root namespace, up, IPv6 off. */
    String bareTap(String suffix) {
        String port = name(suffix);
        links.add(port);
        return sw.addTap(port, VlanConfig.DEFAULT);
    }

    /** Remembers a link to delete on close (bridges, devices a test made itself). */
    void track(String link) {
        links.add(link);
    }

    /** Every port's state, counters and thread, for failure messages. */
    String report() {
        StringBuilder sb = new StringBuilder();
        for (SwitchPort p : sw.view().topology().ports()) {
            var st = p.stats();
            sb.append(String.format("%s: operUp %s, rx %d (errors %d), tx %d (errors %d), drops %d, fdb entries %d%n",
                    p.name(), p.operUp(), st.rxPackets(), st.rxErrors(), st.txPackets(), st.txErrors(), st.drops(),
                    sw.view().fdb().countForPort(p.id())));
        }
        for (Thread t : sw.view().threads()) {
            sb.append(t.getName()).append(' ').append(t.getState());
            for (StackTraceElement e : t.getStackTrace()) {
                sb.append("\n    at ").append(e);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Waits until {@code ns} gets an answer from {@code ip}; on timeout, fails with {@link #report()}. */
    void awaitPing(Netns ns, String ip, long seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!pings(ns, ip, 1)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(ns.name() + " got no answer from " + ip + " in " + seconds + " s\n" + report()
                        + ns.run("ip", "neigh").output() + ns.run("ip", "-s", "link").output());
            }
        }
    }

    @Override
    public void close() {
        try {
            sw.close();
        } finally {
            for (String link : links) {
                if (NetDevice.exists(link)) {
                    HostCommand.run("ip", "link", "del", link);
                }
            }
            namespaces.forEach(Netns::close);
        }
    }

    /** Transmitted and received counts of a finished {@code ping}; {-1, -1} when it printed none. */
    static int[] pingCounts(String output) {
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(output);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {-1, -1};
    }

    /** Whether {@code ns} gets {@code count} answers from {@code ip} (1 s apart at most). */
    static boolean pings(Netns ns, String ip, int count) {
        return ns.run("ping", "-c", String.valueOf(count), "-i", "0.2", "-W", "1", ip).output()
                .contains(count + " received");
    }
}
