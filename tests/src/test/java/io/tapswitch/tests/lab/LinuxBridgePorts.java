package io.tapswitch.tests.lab;

import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A stand-in switch for testing the lab itself: the kernel's own learning bridge
 * {@value #BRIDGE}, with one veth pair per port.
 *
 * <p>It lets the lab's scenarios be checked against a switch whose behaviour is known before
 * tapswitch exists, and later serves as a reference when a scenario fails against tapswitch.
 * The bridge side of port {@code NAME} is {@code tsb-NAME} and the end handed to the host is
 * {@code tsh-NAME}. The bridge and its ports have IPv6 disabled and multicast snooping off, so
 * the machine adds no frames of its own and floods multicast as a plain learning switch does.
 * Only one instance may exist at a time, since the bridge name is fixed.
 */
public final class LinuxBridgePorts implements SwitchPorts, AutoCloseable {

    public static final String BRIDGE = "tsbr-test";
    public static final String BRIDGE_SIDE_PREFIX = "tsb-";
    public static final String HOST_SIDE_PREFIX = "tsh-";

    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9-]{1,11}");

    private final Set<String> ports = new LinkedHashSet<>();
    private boolean closed;

    private LinuxBridgePorts() {
    }

    /** Creates the bridge, first removing one that a crashed run may have left behind. */
    public static LinuxBridgePorts create() {
        deleteLinkIfPresent(BRIDGE);
        HostCommand.check("ip", "link", "add", "name", BRIDGE, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
        silenceIpv6(BRIDGE);
        HostCommand.check("ip", "link", "set", "dev", BRIDGE, "up");
        return new LinuxBridgePorts();
    }

    @Override
    public String createTapPort(String name) {
        throw new UnsupportedOperationException(
                "the Linux bridge stand-in has no process to keep a TAP open; use LinkKind.VETH");
    }

    @Override
    public synchronized String createVethPort(String name) {
        requireOpen();
        if (!PORT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("port names are 1..11 of [a-z0-9-]: " + name);
        }
        String bridgeSide = BRIDGE_SIDE_PREFIX + name;
        String hostSide = HOST_SIDE_PREFIX + name;
        deleteLinkIfPresent(bridgeSide);
        deleteLinkIfPresent(hostSide);
        HostCommand.check("ip", "link", "add", "name", bridgeSide, "type", "veth", "peer", "name", hostSide);
        ports.add(name);
        silenceIpv6(bridgeSide);
        HostCommand.check("ip", "link", "set", "dev", bridgeSide, "master", BRIDGE);
        HostCommand.check("ip", "link", "set", "dev", bridgeSide, "up");
        return hostSide;
    }

    /** Deleting the bridge side deletes its peer too, wherever the peer has been moved. */
    @Override
    public synchronized void removePort(String name) {
        deleteLinkIfPresent(BRIDGE_SIDE_PREFIX + name);
        deleteLinkIfPresent(HOST_SIDE_PREFIX + name);
        ports.remove(name);
    }

    /** Removes the remaining ports and the bridge; calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (String port : List.copyOf(ports)) {
            try {
                removePort(port);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        try {
            deleteLinkIfPresent(BRIDGE);
        } catch (RuntimeException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            IllegalStateException failure = new IllegalStateException(BRIDGE + " was not fully removed");
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** Whether a netdev of that name exists in the machine's namespace. */
    public static boolean linkExists(String name) {
        return HostCommand.run("ip", "link", "show", "dev", name).succeeded();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(BRIDGE + " is closed");
        }
    }

    private static void deleteLinkIfPresent(String name) {
        if (linkExists(name)) {
            CommandResult deletion = HostCommand.run("ip", "link", "delete", "dev", name);
            if (!deletion.succeeded() && linkExists(name)) {
                deletion.orThrow();
            }
        }
    }

    private static void silenceIpv6(String name) {
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1");
    }
}
