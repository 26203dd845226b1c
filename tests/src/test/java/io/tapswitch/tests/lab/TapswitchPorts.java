package io.tapswitch.tests.lab;

import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.NetDevice;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The switch under test for lab scenarios: a real tapswitch {@link Switch} running in the test
 * JVM, whose ports are TAP devices, or veth pairs, whose other end the lab moves into its hosts.
 *
 * <p>The switch is created here rather than through the agent so that a scenario can choose the
 * MAC table's size and aging time and can read the table, the topology and the counters directly
 * while frames flow; what runs is the same datapath the agent hosts.
 *
 * <p>Lab port {@code NAME} becomes switch port and netdev {@code PREFIX-NAME}. The prefix keeps
 * the netdevs of concurrent test runs on one machine (several developers share some machines)
 * from colliding, and lets a leftover netdev be traced to its run.
 *
 * <p>A TAP port keeps the TAP's file descriptor; since the TAP is not persistent, closing that
 * descriptor deletes the netdev wherever it has been moved. A veth port is a
 * {@link PacketPort} (an AF_PACKET socket) on the {@code PREFIX-NAME} end of a pair whose
 * {@code PREFIX_NAME} end goes to the host, the way tapswitch reaches interfaces it does not
 * own; removing the port deletes the pair. Either way, stopping a host first deletes its end,
 * which only makes the port's reading thread see the device vanish until the port is removed.
 */
public final class TapswitchPorts implements SwitchPorts, AutoCloseable {

    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9-]{1,11}");
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]{1,3}");

    private final Switch datapath;
    private final String netdevPrefix;
    private final Set<String> vethPorts = new HashSet<>();

    private TapswitchPorts(Switch datapath, String netdevPrefix) {
        this.datapath = datapath;
        this.netdevPrefix = netdevPrefix;
    }

    /**
     * Starts a switch with no ports.
     *
     * @param options the switch's settings, such as a short aging time for aging scenarios
     * @param netdevPrefix 1..3 of [a-z0-9], put with a dash before every port name to form its
     *     netdev name
     */
    public static TapswitchPorts start(SwitchOptions options, String netdevPrefix) {
        Objects.requireNonNull(options, "options");
        if (!PREFIX.matcher(netdevPrefix).matches()) {
            throw new IllegalArgumentException("netdev prefixes are 1..3 of [a-z0-9]: " + netdevPrefix);
        }
        return new TapswitchPorts(new Switch(options), netdevPrefix);
    }

    /** The running switch, for assertions on its MAC table, topology and counters. */
    public Switch datapath() {
        return datapath;
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
        int id = datapath.topology().idOf(netdev(portName));
        if (id < 0) {
            throw new IllegalArgumentException("the switch has no port " + netdev(portName));
        }
        return id;
    }

    /** The counters of lab port {@code portName}. */
    public PortStats stats(String portName) {
        return datapath.topology().port(portId(portName)).stats();
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
        try {
            datapath.addPort(TapPort.open(netdev, false, true), PortConfig.enabled(netdev));
        } catch (NativeException e) {
            throw new IllegalStateException("cannot create TAP port " + netdev, e);
        }
        return netdev;
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
            datapath.addPort(PacketPort.open(switchEnd), PortConfig.enabled(switchEnd));
            return hostEnd;
        } catch (NativeException | RuntimeException e) {
            try {
                removePort(name);
            } catch (RuntimeException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("cannot attach veth port " + switchEnd, e);
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
        datapath.removePort(netdev);
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
            datapath.close();
        }
    }
}
