package io.tapswitch.tests.reliability;

import io.tapswitch.agent.lab.Command;
import io.tapswitch.agent.lab.Netns;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.PortListener;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.sys.NetDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process switch for the reliability tests, with three kinds of attachment: a host in a
 * namespace on a switch-owned TAP, a host in a namespace behind a veth pair whose root end is an
 * AF_PACKET port, and a bare TAP whose netdev stays in the root namespace (for injecting frames or
 * building loops). Every name starts with the lab's prefix; closing removes the switch's ports,
 * then every link and namespace the lab made, whatever state a failed test left them in.
 */
final class FaultLab implements AutoCloseable {
    /** A port state change as the switch reported it. */
    record StateChange(String port, boolean up) {
    }

    private final String prefix;
    private final Switch datapath;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private final List<StateChange> changes = new CopyOnWriteArrayList<>();

    FaultLab(String prefix, SwitchOptions options) {
        this.prefix = prefix;
        PortListener listener = new PortListener() {
            @Override
            public void portStateChanged(String name, boolean operUp) {
                changes.add(new StateChange(name, operUp));
            }
        };
        this.datapath = new Switch(options.withName(prefix), FdbListener.NONE, listener);
    }

    FaultLab(String prefix) {
        this(prefix, SwitchOptions.defaults());
    }

    Switch datapath() {
        return datapath;
    }

    String name(String suffix) {
        return prefix + "-" + suffix;
    }

    /** State changes reported so far, oldest first. */
    List<StateChange> changes() {
        return List.copyOf(changes);
    }

    SwitchPort port(String suffix) {
        return datapath.topology().port(datapath.topology().idOf(name(suffix)));
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
    Netns tapHost(String suffix, String mac, String ipv4Cidr) throws Exception {
        String port = name(suffix);
        links.add(port);
        datapath.addPort(TapPort.open(port, false, true), PortConfig.enabled(port));
        Netns ns = namespace(suffix);
        ns.adopt(port);
        ns.configure(port, mac, ipv4Cidr, null);
        return ns;
    }

    /**
     * A host in namespace {@code PREFIX-suffix} behind veth {@code PREFIX-suffix} (root end, an
     * AF_PACKET port) and {@code PREFIX-suffixe} (host end).
     */
    Netns vethHost(String suffix, String mac, String ipv4Cidr) throws Exception {
        Netns ns = namespace(suffix);
        connectVeth(suffix, ns, mac, ipv4Cidr);
        PacketPort port = PacketPort.open(name(suffix));
        try {
            port.setLinkUp(true);
        } catch (Exception e) {
            port.close();
            throw e;
        }
        datapath.addPort(port, PortConfig.enabled(name(suffix)));
        return ns;
    }

    /** (Re)creates the veth pair of {@link #vethHost}, host end configured inside {@code ns}. */
    void connectVeth(String suffix, Netns ns, String mac, String ipv4Cidr) {
        String root = name(suffix);
        if (!links.contains(root)) {
            links.add(root);
        }
        Command.check("ip", "link", "add", root, "type", "veth", "peer", "name", root + "e", "netns", ns.name());
        Command.check("sysctl", "-q", "-w", "net.ipv6.conf." + root + ".disable_ipv6=1");
        Command.check("ip", "link", "set", "dev", root, "up");
        ns.configure(root + "e", mac, ipv4Cidr, null);
    }

    /** A TAP port {@code PREFIX-suffix} whose netdev stays in the root namespace, up, IPv6 off. */
    String bareTap(String suffix) throws Exception {
        String port = name(suffix);
        links.add(port);
        TapPort tap = TapPort.open(port, false, true);
        datapath.addPort(tap, PortConfig.enabled(port));
        Command.check("sysctl", "-q", "-w", "net.ipv6.conf." + port + ".disable_ipv6=1");
        tap.setLinkUp(true);
        return port;
    }

    /** Remembers a link to delete on close (bridges, devices a test made itself). */
    void track(String link) {
        links.add(link);
    }

    /** Every port's state, counters and thread, for failure messages. */
    String report() {
        StringBuilder sb = new StringBuilder();
        for (SwitchPort p : datapath.topology().ports()) {
            var st = p.stats();
            sb.append(String.format("%s: operUp %s, rx %d (errors %d), tx %d (errors %d), drops %d, fdb entries %d%n",
                    p.name(), p.operUp(), st.rxPackets(), st.rxErrors(), st.txPackets(), st.txErrors(), st.drops(),
                    datapath.fdb().countForPort(p.id())));
        }
        for (Thread t : datapath.threads()) {
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
            datapath.close();
        } finally {
            for (String link : links) {
                if (NetDevice.exists(link)) {
                    Command.run(List.of("ip", "link", "del", link));
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
