package io.tapswitch.agent;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.state.DeviceOpener;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.NetDevice;

/**
 * Opens the kernel devices behind configured ports: a TAP the switch owns the fd side of, or an
 * AF_PACKET socket on an existing interface. This is what a real agent uses; tests that need no
 * kernel give the agent another {@link DeviceOpener} through {@link AgentOptions}.
 */
public final class SystemDevices implements DeviceOpener {
    /** The one instance; it has no state. */
    public static final SystemDevices INSTANCE = new SystemDevices();

    private SystemDevices() {
    }

    @Override
    public Port open(PortSpec spec) throws NativeException {
        checkExistence(spec, NetDevice.exists(spec.name()));
        switch (spec.kind()) {
            case TAP -> {
                // A TAP found by 'attach' belongs to whoever made it and stays; one this switch made
                // (or re-found after a crash, with 'auto') is removed on stop unless 'persistent'.
                boolean keep = spec.create() == PortSpec.CreateMode.ATTACH || spec.persistent();
                TapPort tap = TapPort.open(spec.name(), keep, true);
                try {
                    tap.setLinkUp(true);
                } catch (NativeException e) {
                    tap.close();
                    throw e;
                }
                return tap;
            }
            case NETDEV -> {
                PacketPort packet = PacketPort.open(spec.name());
                try {
                    packet.setLinkUp(true);
                } catch (NativeException e) {
                    packet.close();
                    throw e;
                }
                return packet;
            }
            default -> throw new IllegalArgumentException("port " + spec.name() + ": unknown kind " + spec.kind());
        }
    }

    /**
     * Refuses a port whose {@code create} mode or kind contradicts whether an interface of its name
     * {@code exists}: 'attach' and 'netdev' need one, 'create' needs none. Device openers that stand
     * in for the kernel apply the same rule.
     *
     * @throws IllegalArgumentException naming the port and the contradiction
     */
    public static void checkExistence(PortSpec spec, boolean exists) {
        if (spec.kind() == PortSpec.PortKindSpec.NETDEV && !exists) {
            throw new IllegalArgumentException("port " + spec.name()
                    + ": kind 'netdev' needs an existing interface and there is none of that name");
        }
        if (spec.kind() == PortSpec.PortKindSpec.TAP && spec.create() == PortSpec.CreateMode.ATTACH && !exists) {
            throw new IllegalArgumentException("port " + spec.name()
                    + ": create is 'attach' but no interface of that name exists");
        }
        if (spec.kind() == PortSpec.PortKindSpec.TAP && spec.create() == PortSpec.CreateMode.CREATE && exists) {
            throw new IllegalArgumentException("port " + spec.name()
                    + ": create is 'create' but an interface of that name already exists");
        }
    }
}
