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
                TapPort tap = TapPort.open(spec.name(), spec.persistent(), true);
                try {
                    tap.setLinkUp(true);
                } catch (NativeException e) {
                    tap.close();
                    throw e;
                }
                return tap;
            }
            case NETDEV -> throw new IllegalArgumentException("port " + spec.name()
                    + ": kind 'netdev' is not available in this build");
            default -> throw new IllegalArgumentException("port " + spec.name() + ": unknown kind " + spec.kind());
        }
    }
}
