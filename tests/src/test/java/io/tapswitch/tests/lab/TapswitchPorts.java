package io.tapswitch.tests.lab;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.core.vlan.VlanConfig;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The switch under test for lab scenarios: a real tapswitch agent running in the test JVM
 * ({@link SwitchUnderTest}), whose ports are TAP devices, or veth pairs, whose other end the lab
 * moves into its hosts. Ports are added and removed through the agent's control plane, as users'
 * ports are.
 *
 * <p>A scenario chooses the MAC table's size and aging time through the agent's configuration and
 * reads the table, the topology and the counters through the switch's read-only view while frames
 * flow.
 *
 * <p>Lab port {@code NAME} becomes switch port and netdev {@code PREFIX-NAME}. The prefix keeps
 * the netdevs of concurrent test runs on one machine (several developers share some machines)
 * from colliding, and lets a leftover netdev be traced to its run.
 *
 * <p>A TAP port keeps the TAP's file descriptor; since the TAP is not persistent, closing that
 * descriptor deletes the netdev wherever it has been moved. A veth port is an AF_PACKET port on the
 * {@code PREFIX-NAME} end of a pair whose {@code PREFIX_NAME} end goes to the host, the way
 * tapswitch reaches interfaces it does not own; removing the port deletes the pair. Either way,
 * stopping a host first deletes its end, which only makes the port see the device vanish until the
 * port is removed.
 */
public final class TapswitchPorts implements SwitchPorts, AutoCloseable {

    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9-]{1,11}");
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]{1,3}");

    private final SwitchUnderTest sw;
    private final String netdevPrefix;
    private final Set<String> vethPorts = new HashSet<>();

    private TapswitchPorts(SwitchUnderTest sw, String netdevPrefix) {
        this.sw = sw;
        this.netdevPrefix = netdevPrefix;
    }

    /**
     * Starts a switch with no ports.
     *
     * @param config the switch's settings, such as a short aging time for aging scenarios
     * @param netdevPrefix 1..3 of [a-z0-9], put with a dash before every port name to form its
     *     netdev name
     */
    public static TapswitchPorts start(AgentConfig config, String netdevPrefix) {
        Objects.requireNonNull(config, "config");
        if (!PREFIX.matcher(netdevPrefix).matches()) {
            throw new IllegalArgumentException("netdev prefixes are 1..3 of [a-z0-9]: " + netdevPrefix);
        }
        return new TapswitchPorts(SwitchUnderTest.start(config), netdevPrefix);
    }

    /** The running switch, read-only, for assertions on its MAC table, topology and counters. */
    public SwitchView view() {
        return sw.view();
    }

    /** The netdev, and switch port, name that lab port {@code portName} has on this switch. */
    public String netdev(String portName) {
        return netdevPrefix + "-" + portName;
    }

    /**
     * The switch's id of lab port {@code portName}, the number its MAC table stores.
     *
     * @throws IllegalArgumentException when the switch has no such port
     */
    public int portId(String portName) {
        return sw.port(netdev(portName)).id();
    }

    /** The counters of lab port {@code portName}. */
    public PortStats stats(String portName) {
        return sw.port(netdev(portName)).stats();
    }

    /**
     * Creates a TAP with offloads negotiated, as production ports have, and attaches it.
     *
     * <p>A netdev of that name that already exists is refused rather than attached to or
     * deleted: it belongs to another run or to someone's experiment.
     */
    @Override
    public String createTapPort(String name) {
        String netdev = unusedNetdev(name);
        return sw.addTap(netdev, VlanConfig.DEFAULT);
    }

    /**
     * Creates a veth pair and attaches its switch end as an AF_PACKET port. The switch end has
     * IPv6 turned off, so that the machine sends nothing of its own into the lab.
     */
    @Override
    public String createVethPort(String name) {
        String switchEnd = unusedNetdev(name);
        String hostEnd = netdevPrefix + "_" + name;
        requireUnused(hostEnd);
        HostCommand.check("ip", "link", "add", "name", switchEnd, "type", "veth", "peer", "name", hostEnd);
        vethPorts.add(name);
        try {
            HostCommand.check("sysctl", "-q", "-w", "net/ipv6/conf/" + switchEnd + "/disable_ipv6=1");
            HostCommand.check("ip", "link", "set", "dev", switchEnd, "up");
            sw.addNetdev(switchEnd, VlanConfig.DEFAULT);
            return hostEnd;
        } catch (RuntimeException e) {
            try {
                removePort(name);
            } catch (RuntimeException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e;
        }
    }

    private String unusedNetdev(String name) {
        if (!PORT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("port names are 1..11 of [a-z0-9-]: " + name);
        }
        String netdev = netdev(name);
        requireUnused(netdev);
        return netdev;
    }

    private static void requireUnused(String netdev) {
        if (NetDevice.exists(netdev)) {
            throw new IllegalStateException("netdev " + netdev + " already exists; another run may be using it");
        }
    }

    /**
     * Detaches the port and closes its device. A TAP then disappears with its descriptor; a veth
     * pair, unless its host already took it along, is deleted here.
     */
    @Override
    public void removePort(String name) {
        String netdev = netdev(name);
        if (sw.portId(netdev) >= 0) {
            sw.removePort(netdev);
        }
        if (vethPorts.remove(name) && NetDevice.exists(netdev)) {
            CommandResult deletion = HostCommand.run("ip", "link", "delete", "dev", netdev);
            if (!deletion.succeeded() && NetDevice.exists(netdev)) {
                deletion.orThrow();
            }
        }
    }

    /** Removes the ports that are left and stops the switch; calling it again does nothing. */
    @Override
    public void close() {
        try {
            for (String name : Set.copyOf(vethPorts)) {
                removePort(name);
            }
        } finally {
            sw.close();
        }
    }
}
