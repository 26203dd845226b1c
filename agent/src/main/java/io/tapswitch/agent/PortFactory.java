package io.tapswitch.agent;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.NetDevice;

/** Opens the device behind a configured port. */
final class PortFactory {
    private PortFactory() {
    }

    static Port open(PortSpec spec) throws NativeException {
        boolean exists = NetDevice.exists(spec.name());
        switch (spec.kind()) {
            case TAP -> {
                if (spec.create() == PortSpec.CreateMode.ATTACH && !exists) {
                    throw new IllegalArgumentException("port " + spec.name()
                            + ": create is 'attach' but no interface of that name exists");
                }
                if (spec.create() == PortSpec.CreateMode.CREATE && exists) {
                    throw new IllegalArgumentException("port " + spec.name()
                            + ": create is 'create' but an interface of that name already exists");
                }
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
                if (!exists) {
                    throw new IllegalArgumentException("port " + spec.name()
                            + ": kind 'netdev' needs an existing interface and there is none of that name");
                }
                io.tapswitch.core.port.PacketPort packet = io.tapswitch.core.port.PacketPort.open(spec.name());
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
}
