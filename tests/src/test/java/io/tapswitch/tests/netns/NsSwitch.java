package io.tapswitch.tests.netns;

import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.tests.lab.SwitchUnderTest;

import java.util.ArrayList;
import java.util.List;

/**
 * A switch with namespace hosts on its TAP ports, for integration tests that configure VLANs and
 * mirrors through the switch's control plane. Hosts are named {@code PREFIX-NAME}; closing removes
 * the switch's ports first (and with them the TAPs), then the namespaces, even after a failure.
 */
final class NsSwitch implements AutoCloseable {
    private final String prefix;
    private final SwitchUnderTest sw;
    private final List<Netns> namespaces = new ArrayList<>();

    NsSwitch(String prefix) {
        this.prefix = prefix;
        this.sw = SwitchUnderTest.start(prefix);
    }

    SwitchUnderTest sw() {
        return sw;
    }

    /** A TAP port named {@code PREFIX-name} whose netdev stays in this namespace (no host). */
    String bareTap(String name, VlanConfig vlan) {
        return sw.addTap(prefix + "-" + name, vlan);
    }

    /**
     * A host: a namespace holding the netdev side of a new TAP port, with a MAC and addresses.
     * The interface keeps the port's name inside the namespace.
     */
    Netns host(String name, VlanConfig vlan, String mac, String ipv4Cidr) {
        String port = sw.addTap(prefix + "-" + name, vlan);
        Netns ns = Netns.create(port);
        namespaces.add(ns);
        ns.adopt(port);
        ns.configure(port, mac, ipv4Cidr, null);
        return ns;
    }

    int portId(String name) {
        return sw.portId(prefix + "-" + name);
    }

    SwitchPort port(String name) {
        return sw.port(prefix + "-" + name);
    }

    @Override
    public void close() {
        try {
            sw.close();
        } finally {
            namespaces.forEach(Netns::close);
        }
    }
}
