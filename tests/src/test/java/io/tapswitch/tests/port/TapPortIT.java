package io.tapswitch.tests.port;

import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.sys.NativeException;

import java.util.List;
import java.util.Map;

/**
 * The port contract for {@link TapPort}: the switch owns the fd side of a TAP it creates, and the
 * TAP's netdev side is moved into the peer namespace.
 */
class TapPortIT extends PortContractIT {

    @Override
    protected char letter() {
        return 't';
    }

    /** An existing interface that is not a TAP, which TUNSETIFF must refuse after the fd is open. */
    private String notATap(String name) {
        return name + "v";
    }

    @Override
    protected void createDevice(String name, Netns ns) {
        HostCommand.check("ip", "link", "add", notATap(name), "type", "veth", "peer", "name", name + "w");
    }

    @Override
    protected Port open(String name) throws NativeException {
        return TapPort.open(name, false, true);
    }

    @Override
    protected String connectPeer(String name, Netns ns) {
        ns.adopt(name);
        ns.configure(name, null, PEER_IP + "/24", null);
        return name;
    }

    @Override
    protected void setLinkUp(String name, Netns ns, boolean up) {
        ns.exec("ip", "link", "set", "dev", name, up ? "up" : "down");
    }

    @Override
    protected void removeDevice(String name) {
        HostCommand.run(List.of("ip", "link", "del", notATap(name)));
    }

    @Override
    protected Map<String, Class<? extends Exception>> failingOpens(String name) {
        return Map.of(notATap(name), NativeException.class, "tspk/bad", IllegalArgumentException.class);
    }

    @Override
    protected boolean reportsErrorsWhileDown() {
        return false;
    }
}
