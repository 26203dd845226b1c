package io.tapswitch.tests.qemu;

import io.tapswitch.agent.attach.AutoAttach;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.AutoAttachSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.tests.lab.GuestImage;
import io.tapswitch.tests.lab.SwitchUnderTest;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Auto-attach rules against the kernel: interfaces named like a rule become ports with the rule's
 * VLAN within a second of appearing, and go within a second of going, as the rtnetlink link
 * monitor reports them. Namespace hosts behind veths prove it on the wire: a host behind an
 * attached interface reaches the host of its rule's VLAN and not the one of another VLAN.
 *
 * <p>Everything is named {@code tsqa-*} (interfaces) and {@code tsq-*} (namespaces); the rule
 * matches {@code tsqa-*} only, so interfaces other tests make on this machine are left alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutoAttachIT {
    private static final long SECOND_NANOS = 1_000_000_000L;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private SwitchUnderTest sw;

    @BeforeAll
    void up() {
        Root.require();
        cleanLeftovers();
        // made before the agent starts: found by its first scan
        veth("tsqa-pre", "tsq-pre", "198.18.117.3/24");
        sw = SwitchUnderTest.start(new AgentConfig("tsq-auto", null, null, List.of())
                .withAutoAttach(List.of(new AutoAttachSpec("tsqa-*", VlanSpec.of(VlanConfig.access(10))))));
        host("tsqh-a", VlanConfig.access(10), "198.18.117.1/24");
        host("tsqh-b", VlanConfig.access(20), "198.18.117.2/24");
    }

    @AfterAll
    void down() {
        try {
            if (sw != null) {
                sw.close();
            }
        } finally {
            links.forEach(l -> HostCommand.run("ip", "link", "del", l));
            namespaces.forEach(Netns::close);
        }
    }

    private static void cleanLeftovers() {
        for (String l : List.of("tsqa-pre", "tsqa-v1", "tsqa-x1", "tsqa-x2", "tsqa-x3", "tsqa-vm", "tsqh-a", "tsqh-b")) {
            HostCommand.run("ip", "link", "del", l);
        }
    }

    /** A namespace {@code ns} behind veth {@code name}, whose other end, {@code eth0}, has {@code cidr}. */
    private Netns veth(String name, String ns, String cidr) {
        Netns n = Netns.create(ns);
        namespaces.add(n);
        links.add(name);
        HostCommand.check("ip", "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", ns);
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1");
        n.configure("eth0", null, cidr, null);
        return n;
    }

    /** A host on a TAP port of the switch (not matching the rule), in {@code vlan}. */
    private void host(String name, VlanConfig vlan, String cidr) {
        String port = sw.addTap(name, vlan);
        Netns ns = Netns.create(port);
        namespaces.add(ns);
        ns.adopt(port);
        ns.configure(port, null, cidr, null);
    }

    private boolean isPort(String name) {
        return sw.portId(name) >= 0;
    }

    /** Nanoseconds until {@code condition} held, or -1 when it did not within {@code limitNanos}. */
    private static long until(BooleanSupplier condition, long limitNanos) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < limitNanos) {
            if (condition.getAsBoolean()) {
                return System.nanoTime() - start;
            }
            Thread.sleep(2);
        }
        return condition.getAsBoolean() ? System.nanoTime() - start : -1;
    }

    private static boolean pings(String ns, String address) {
        return HostCommand.run("ip", "netns", "exec", ns, "ping", "-c", "2", "-i", "0.2", "-W", "2", address).exitCode() == 0;
    }

    @Test
    void anInterfaceMadeBeforeTheAgentIsAttachedAtStart() {
        assertThat(isPort("tsqa-pre")).isTrue();
        assertThat(sw.control().ownerOf("tsqa-pre")).isEqualTo(AutoAttach.OWNER);
        assertThat(sw.view().topology().config(sw.portId("tsqa-pre")).vlan()).isEqualTo(VlanConfig.access(10));
        assertThat(pings("tsq-pre", "198.18.117.1")).as("VLAN 10 host").isTrue();
        assertThat(pings("tsq-pre", "198.18.117.2")).as("VLAN 20 host").isFalse();
        assertThat(sw.control().config().port("tsqh-a")).isNotNull();
    }

    @Test
    void aNewVethIsAPortWithinASecondAndItsHostPingsInTheRulesVlan() throws Exception {
        long start = System.nanoTime();
        veth("tsqa-v1", "tsq-v1", "198.18.117.4/24");
        long attached = until(() -> isPort("tsqa-v1"), SECOND_NANOS);
        System.out.printf("tsqa-v1 attached %.1f ms after 'ip link add' returned (%.1f ms after it began)%n",
                attached / 1e6, (System.nanoTime() - start) / 1e6);
        assertThat(attached).as("attached within 1 s").isNotNegative();
        assertThat(pings("tsq-v1", "198.18.117.1")).as("VLAN 10 host").isTrue();
        assertThat(pings("tsq-v1", "198.18.117.2")).as("VLAN 20 host").isFalse();
        HostCommand.check("ip", "link", "del", "tsqa-v1");
        long removed = until(() -> !isPort("tsqa-v1"), SECOND_NANOS);
        System.out.printf("tsqa-v1's port removed %.1f ms after 'ip link del' returned%n", removed / 1e6);
        assertThat(removed).as("port gone within 1 s").isNotNegative();
    }

    @Test
    void aTapMadeWithIpTuntapComesAndGoesWithinASecond() throws Exception {
        HostCommand.check("ip", "tuntap", "add", "tsqa-x1", "mode", "tap");
        links.add("tsqa-x1");
        long attached = until(() -> isPort("tsqa-x1"), SECOND_NANOS);
        System.out.printf("tsqa-x1 attached %.1f ms after 'ip tuntap add' returned%n", attached / 1e6);
        assertThat(attached).isNotNegative();
        assertThat(sw.view().topology().config(sw.portId("tsqa-x1")).vlan()).isEqualTo(VlanConfig.access(10));
        assertThat(sw.control().config().port("tsqa-x1").kind().name()).isEqualTo("NETDEV");
        HostCommand.check("ip", "link", "del", "tsqa-x1");
        long removed = until(() -> !isPort("tsqa-x1"), SECOND_NANOS);
        System.out.printf("tsqa-x1's port removed %.1f ms after 'ip link del' returned%n", removed / 1e6);
        assertThat(removed).isNotNegative();
        // an interface no rule matches stays out, and a port of the agent's own is left alone
        assertThat(isPort("tsqh-a")).isTrue();
    }

    /**
     * libvirt's {@code <interface type='ethernet'><target dev='...' managed='no'/>}: a TAP made
     * with {@code ip tuntap} before QEMU starts is attached by the rule at once, and the guest QEMU
     * then runs on it pings the host of the rule's VLAN, not the other one, with no script at all.
     */
    @Test
    void aGuestOnATapMadeBeforehandPingsThroughTheRulesVlan() throws Exception {
        GuestImage.build();
        HostCommand.check("ip", "tuntap", "add", "tsqa-vm", "mode", "tap");
        links.add("tsqa-vm");
        long attached = until(() -> isPort("tsqa-vm"), SECOND_NANOS);
        assertThat(attached).as("attached within 1 s").isNotNegative();
        java.nio.file.Path vmDir = java.nio.file.Files.createTempDirectory("tsqa-vm");
        try (QemuGuest guest = QemuGuest.start(List.of(), "tap,id=n0,ifname=tsqa-vm,script=no,downscript=no",
                "52:54:00:71:75:01", "198.18.117.21/24", java.util.Map.of(), vmDir)) {
            guest.awaitReady();
            assertThat(guest.pings("198.18.117.1", 3)).as("guest -> VLAN 10 host").isTrue();
            assertThat(guest.pings("198.18.117.2", 2)).as("guest -> VLAN 20 host").isFalse();
            assertThat(sw.port("tsqa-vm").stats().rxPackets()).isPositive();
        } finally {
            HostCommand.run("rm", "-rf", vmDir.toString());
        }
        HostCommand.check("ip", "link", "del", "tsqa-vm");
        assertThat(until(() -> !isPort("tsqa-vm"), SECOND_NANOS)).isNotNegative();
    }

    @Test
    void aBrokenMonitorSocketIsReopenedAndWhatHappenedMeanwhileIsCaughtUp() throws Exception {
        HostCommand.check("ip", "tuntap", "add", "tsqa-x3", "mode", "tap");
        links.add("tsqa-x3");
        assertThat(until(() -> isPort("tsqa-x3"), SECOND_NANOS)).isNotNegative();
        long reopens = sw.agent().links().reopens();
        sw.agent().links().injectFailure();
        // while the socket is closed (1 s pause): one interface comes, one goes, unannounced
        Thread.sleep(100);
        HostCommand.check("ip", "tuntap", "add", "tsqa-x2", "mode", "tap");
        links.add("tsqa-x2");
        HostCommand.check("ip", "link", "del", "tsqa-x3");
        assertThat(until(() -> isPort("tsqa-x2") && !isPort("tsqa-x3"), 3 * SECOND_NANOS))
                .as("caught up by the rescan after reopening").isNotNegative();
        assertThat(sw.agent().links().reopens()).isEqualTo(reopens + 1);
        // and it listens again: a deletion now is seen as it happens
        HostCommand.check("ip", "link", "del", "tsqa-x2");
        assertThat(until(() -> !isPort("tsqa-x2"), SECOND_NANOS)).isNotNegative();
    }
}
