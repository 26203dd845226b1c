package io.tapswitch.agent.demo;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.agent.vm.ConsoleLog;
import io.tapswitch.agent.vm.GuestUser;
import io.tapswitch.agent.vm.LabFile;
import io.tapswitch.agent.vm.Labs;
import io.tapswitch.agent.vm.VmManager;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The demo lab: three hosts, each a network namespace holding the netdev side of one of the
 * switch's TAP ports, addressed 198.18.0.1–3/24 (the RFC 2544 benchmarking range, never routed).
 *
 * <p>Start order matters for teardown: the switch owns the TAP fds, so closing the agent removes
 * the TAPs (also from inside the namespaces), and the namespaces are deleted after that.
 */
public final class DemoLab implements AutoCloseable {
    public static final String PREFIX = "tsdemo";

    /** The lab {@code --vms} adds: two guests in the hosts' subnet (198.18.0.11 and .12). */
    public static final String VM_LAB = "vm-configs/two-vms.yaml";
    /** Where the guest files go when the guests cannot read them in the checkout (see {@link GuestStage}). */
    static final Path GUEST_STAGE = VmManager.DEFAULT_STATE_ROOT.resolveSibling("demo-guest");

    private final List<Netns> hosts = new ArrayList<>();
    private final List<String> created = new ArrayList<>();
    private final List<Labs.VmView> vms = new ArrayList<>();
    private LabFile vmLab;
    private GuestStage guestStage;
    private Agent agent;

    /** Host {@code i} (1-based): namespace name, port name, MAC, IPv4, IPv6. */
    public static String hostName(int i) {
        return PREFIX + "-h" + i;
    }

    public static String portName(int i) {
        return PREFIX + "-p" + i;
    }

    public static String mac(int i) {
        return String.format("02:74:73:00:00:%02x", i);
    }

    public static String ipv4(int i) {
        return "198.18.0." + i;
    }

    public static String ipv6(int i) {
        return "fd00:7473::" + i;
    }

    /**
     * Builds the lab with {@code count} hosts and the API on an ephemeral loopback port (so that
     * tests never collide over a port); on failure everything created is removed.
     */
    public static DemoLab start(int count) throws Exception {
        return start(count, HttpSpec.EPHEMERAL);
    }

    /** Builds the lab with {@code count} hosts and the API where {@code http} says. */
    public static DemoLab start(int count, HttpSpec http) throws Exception {
        DemoLab lab = new DemoLab();
        try {
            lab.build(count, http);
            return lab;
        } catch (Exception | Error e) {
            lab.close();
            throw e;
        }
    }

    private void build(int count, HttpSpec http) throws Exception {
        List<PortSpec> ports = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            // The TAP gets its host's MAC before anything brings it up: up with the kernel's random
            // MAC, it would send router solicitations and MLD reports that the switch learns as a
            // second, phantom station on the port. The switch then attaches ('auto') to it, brings
            // it up and removes it when it stops, as it does with a TAP it created.
            HostCommand.check("ip", "tuntap", "add", "dev", portName(i), "mode", "tap");
            created.add(portName(i));
            HostCommand.check("ip", "link", "set", "dev", portName(i), "address", mac(i));
            ports.add(new PortSpec(portName(i), PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.AUTO, false, true));
        }
        agent = Agent.start(new AgentConfig("demo", null, null, null, ports, null, null), new AgentOptions().setHttp(http));
        for (int i = 1; i <= count; i++) {
            Netns ns = Netns.create(hostName(i));
            hosts.add(ns);
            ns.adopt(portName(i));
            ns.configure(portName(i), mac(i), ipv4(i) + "/24", ipv6(i) + "/64");
        }
    }

    /**
     * Adds the two guests of {@link #VM_LAB} to the switch, building the guest image first when it
     * is missing or stale, and waits until both guests' networks are up.
     *
     * @param home the repository (or installation) root holding {@code vm-configs/}
     */
    public void startVms(Path home, PrintStream out) throws Exception {
        Path lab = home.resolve(VM_LAB).toAbsolutePath().normalize();
        if (!Files.isRegularFile(lab)) {
            throw new IllegalStateException("cannot find " + lab + " (set TAPSWITCH_HOME to the tapswitch checkout)");
        }
        out.println("building the guest image if needed (vm-configs/guest/build-guest.sh)...");
        CommandResult build = HostCommand.run(List.of(home.resolve("vm-configs/guest/build-guest.sh").toString()));
        if (!build.succeeded()) {
            throw new IllegalStateException("building the guest failed:\n" + build.output());
        }
        vmLab = LabFile.load(lab);
        GuestUser user = GuestUser.forLab(vmLab.user());
        guestStage = GuestStage.of(lab, vmLab, user, GUEST_STAGE);
        if (guestStage.staged() != null) {
            out.println("the guests run as '" + user.name() + "', who cannot read " + home + ": their kernel and"
                    + " initramfs are copied to " + guestStage.staged());
        }
        long start = System.nanoTime();
        out.println("starting two QEMU guests (TCG unless KVM works; about 10-30 s)...");
        vms.addAll(agent.labs().up(guestStage.file().toString()));
        for (Labs.VmView vm : vms) {
            ConsoleLog.waitFor(Path.of(vm.consoleLog()), Pattern.compile("TS-READY"), Duration.ofSeconds(180));
            out.printf("  %s is up after %.1f s (serial log %s)%n", vm.name(), (System.nanoTime() - start) / 1e9,
                    vm.consoleLog());
        }
    }

    public Agent agent() {
        return agent;
    }

    public List<Netns> hosts() {
        return List.copyOf(hosts);
    }

    public void printInstructions(PrintStream out) {
        out.println();
        out.println("tapswitch demo is running: " + hosts.size() + " hosts on switch '" + agent.view().name() + "'");
        for (int i = 1; i <= hosts.size(); i++) {
            out.printf("  host %-10s port %-10s %s  %s  %s%n", hostName(i), portName(i), mac(i), ipv4(i), ipv6(i));
        }
        out.println();
        out.println("Try, in another terminal:");
        out.println("  ip netns exec " + hostName(1) + " ping -c3 " + ipv4(hosts.size()));
        out.println("  ip netns exec " + hostName(2) + " ping -6 -c3 " + ipv6(1));
        if (vmLab != null && !vms.isEmpty()) {
            out.println();
            out.println("VMs of lab " + vmLab.name() + " (" + VM_LAB + "):");
            for (LabFile.Vm vm : vmLab.vms()) {
                for (LabFile.Nic nic : vm.nics()) {
                    out.printf("  vm   %-10s port %-10s %s  %s  %s%n", vm.name(), nic.port(), nic.mac(), nic.ip(), nic.ip6());
                }
            }
            out.println("  tapswitch vm exec --url " + agent.apiUrl() + " " + vmLab.name() + " " + vmLab.vms().get(0).name()
                    + " ping -c3 " + ipv4(1));
        }
        out.println();
        out.println("Web console: " + agent.apiUrl() + "/");
        out.println("Control API: " + agent.apiUrl() + "/api/v1  (try: tapswitch ctl --url " + agent.apiUrl() + " ports)");
        out.println();
        out.println("Press Ctrl-C to stop; the hosts and ports are removed.");
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        if (agent != null) {
            try {
                agent.close();
            } catch (Exception e) {
                failure = e;
            }
        }
        for (Netns ns : hosts) {
            ns.close();
        }
        hosts.clear();
        if (guestStage != null) {
            try {
                guestStage.close();
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        // TAPs made before an agent that then failed to start are still here, and still persistent.
        for (String tap : created) {
            if (io.tapswitch.core.sys.NetDevice.exists(tap)) {
                HostCommand.run(List.of("ip", "link", "del", tap));
            }
        }
        created.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
