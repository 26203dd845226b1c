package io.tapswitch.tests.netns;

import io.tapswitch.agent.lab.Netns;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.vlan.VlanConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * A switch with namespace hosts on its TAP ports, for integration tests that configure VLANs and
 * mirrors directly on the datapath. Hosts are named {@code PREFIX-NAME}; closing removes the
 * switch's ports first (and with them the TAPs), then the namespaces, even after a failure.
 */
final class NsSwitch implements AutoCloseable {
    private final String prefix;
    private final Switch datapath;
    private final List<Netns> namespaces = new ArrayList<>();

    NsSwitch(String prefix) {
        this.prefix = prefix;
        this.datapath = new Switch(SwitchOptions.defaults().withName(prefix));
    }

    Switch datapath() {
        return datapath;
    }

    /** A TAP port named {@code PREFIX-name} whose netdev stays in this namespace (no host). */
    String bareTap(String name, VlanConfig vlan) throws Exception {
        String port = prefix + "-" + name;
        TapPort tap = TapPort.open(port, false, true);
        datapath.addPort(tap, new PortConfig(port, true, vlan));
        tap.setLinkUp(true);
        return port;
    }

    /**
     * A host: a namespace holding the netdev side of a new TAP port, with a MAC and addresses.
     * The interface keeps the port's name inside the namespace.
     */
    Netns host(String name, VlanConfig vlan, String mac, String ipv4Cidr) throws Exception {
        String port = prefix + "-" + name;
        TapPort tap = TapPort.open(port, false, true);
        SwitchPort sp = datapath.addPort(tap, new PortConfig(port, true, vlan));
        Netns ns = Netns.create(port);
        namespaces.add(ns);
        ns.adopt(sp.name());
        ns.configure(sp.name(), mac, ipv4Cidr, null);
        return ns;
    }

    int portId(String name) {
        return datapath.topology().idOf(prefix + "-" + name);
    }

    SwitchPort port(String name) {
        return datapath.topology().port(portId(name));
    }

    @Override
    public void close() {
        datapath.close();
        for (Netns ns : namespaces) {
            ns.close();
        }
    }
}
