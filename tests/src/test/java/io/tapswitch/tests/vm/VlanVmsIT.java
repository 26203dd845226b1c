package io.tapswitch.tests.vm;

import io.tapswitch.core.engine.Reason;
import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The switch's VLAN modes against the Linux kernel's own 802.1Q and 802.1ad in QEMU guests: the
 * host kernel here has no VLAN subinterfaces, the guests' Debian kernel does.
 */
class VlanVmsIT {
    private static final String VM1 = "52:54:00:74:74:01";
    private static final String VM2 = "52:54:00:74:74:02";
    private static final String VM3 = "52:54:00:74:74:03";
    private static final String VM4 = "52:54:00:74:74:04";
    private static final String VM5 = "52:54:00:74:74:05";

    /** {@code vm-configs/vlan-interop.yaml}: access, trunk and dot1q-tunnel ports. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Interop {
        private VmLab lab;

        @BeforeAll
        void up() throws Exception {
            Root.require();
            lab = VmLab.up("vlan-interop.yaml");
        }

        @AfterAll
        void down() throws Exception {
            if (lab != null) {
                lab.close();
            }
        }

        @Test
        void accessGuestsReachOnlyTheirOwnVlan() throws Exception {
            // Each negative is judged on the target's wire, and each watched guest shows in the same
            // capture that frames do reach it: vm2 gets vm1's pings, vm3 answers vm4's eth0.20.
            GuestCapture atVm3 = GuestCapture.start(lab, "vm3", "arp or icmp");
            GuestCapture atVm2 = GuestCapture.start(lab, "vm2", "arp or icmp");
            assertThat(lab.pings("vm1", "198.18.10.2", 2)).as("vm1 -> vm2, both VLAN 10").isTrue();
            assertNoReply(lab.ping("vm1", "198.18.20.3", 2), "vm1 (VLAN 10) -> vm3 (VLAN 20), same /16");
            assertNoReply(lab.ping("vm3", "198.18.10.2", 2), "vm3 (VLAN 20) -> vm2 (VLAN 10)");
            assertThat(lab.pings("vm4", "198.18.20.3", 2)).as("vm4 eth0.20 -> vm3: vm3 is alive").isTrue();
            List<String> vm3Saw = atVm3.stop();
            List<String> vm2Saw = atVm2.stop();
            assertThat(vm3Saw).as("vm3's wire").noneMatch(l -> l.contains(VM1 + " >"))
                    .anyMatch(l -> l.contains(VM4 + " > " + VM3) && l.contains("198.18.20.4 > 198.18.20.3: ICMP echo request"));
            assertThat(vm2Saw).as("vm2's wire").noneMatch(l -> l.contains(VM3 + " >"))
                    .anyMatch(l -> l.contains(VM1 + " > " + VM2) && l.contains("198.18.10.1 > 198.18.10.2: ICMP echo request"));
            long vm3 = MacAddress.parse(VM3);
            assertThat(lab.view().fdb().lookup(20, vm3)).isEqualTo(lab.view().topology().idOf("ts-vi-vm3"));
            assertThat(lab.view().fdb().lookup(10, vm3)).isEqualTo(-1);
        }

        @Test
        void trunkGuestReachesBothVlansThroughItsSubinterfaces() throws Exception {
            assertThat(lab.pings("vm4", "198.18.10.1", 2)).as("vm4 eth0.10 -> vm1").isTrue();
            assertThat(lab.pings("vm4", "198.18.10.2", 2)).as("vm4 eth0.10 -> vm2").isTrue();
            assertThat(lab.pings("vm4", "198.18.20.3", 2)).as("vm4 eth0.20 -> vm3").isTrue();
            long vm4 = MacAddress.parse(VM4);
            int trunk = lab.view().topology().idOf("ts-vi-vm4");
            assertThat(lab.view().fdb().lookup(10, vm4)).isEqualTo(trunk);
            assertThat(lab.view().fdb().lookup(20, vm4)).isEqualTo(trunk);
        }

        @Test
        void qinqThroughADot1qTunnelPort() throws Exception {
            // vm5 sends C-tagged VLAN 30; the switch carries it in S-tag 100 (0x88a8) to the trunk,
            // where vm4's 802.1ad eth0.100 and 802.1Q eth0.100.30 take both tags off
            assertThat(lab.pings("vm5", "198.18.30.4", 3)).as("vm5 eth0.30 -> vm4 eth0.100.30").isTrue();
            long vm5 = MacAddress.parse(VM5);
            assertThat(lab.view().fdb().lookup(100, vm5)).isEqualTo(lab.view().topology().idOf("ts-vi-vm5"));
            assertThat(lab.view().vlanStats().packets(100)).isPositive();
            // The S-VLAN is not an access VLAN: nothing of it leaks to the access guests. Two probes
            // that vm5 puts on its wire for sure (on-link for eth0.30): ARP broadcasts for an address
            // nobody holds, and unicast to vm1's MAC through a permanent ARP entry, which the switch
            // knows in VLAN 10 but not in S-VLAN 100, so it floods there. The trunk guest vm4 is the
            // positive control: the same frames reach it, in S-VLAN 100 around C-VLAN 30.
            String fromVm5 = "ether src " + VM5;
            GuestCapture atVm4 = GuestCapture.start(lab, "vm4", fromVm5);
            List<GuestCapture> access = List.of(GuestCapture.start(lab, "vm1", fromVm5),
                    GuestCapture.start(lab, "vm2", fromVm5), GuestCapture.start(lab, "vm3", fromVm5));
            GuestConsole.Result neigh = lab.exec("vm5", "arp -i eth0.30 -s 198.18.30.98 " + VM1, Duration.ofSeconds(20));
            assertThat(neigh.exitCode()).as(neigh.output()).isZero();
            VmLab.Ping unicast = lab.ping("vm5", "198.18.30.98", 3);
            VmLab.Ping broadcast = lab.ping("vm5", "198.18.30.99", 2);
            assertThat(unicast.transmitted()).as(unicast.output()).isEqualTo(3);
            assertThat(broadcast.transmitted()).as(broadcast.output()).isEqualTo(2);
            List<String> trunkSaw = atVm4.stop();
            assertThat(trunkSaw.stream().filter(l -> l.contains(VM5 + " > " + VM1) && l.contains("vlan 100,")
                    && l.contains("vlan 30,") && l.contains("198.18.30.5 > 198.18.30.98: ICMP echo request")))
                    .as("vm5's unicast to vm1's MAC on the trunk, S-VLAN 100: %s", trunkSaw).hasSize(3);
            assertThat(trunkSaw).as("vm5's ARP broadcast on the trunk, S-VLAN 100").anyMatch(l -> l.contains(VM5 + " > ff:ff:ff:ff:ff:ff")
                    && l.contains("vlan 100,") && l.contains("vlan 30,") && l.contains("who-has 198.18.30.99"));
            for (int i = 0; i < access.size(); i++) {
                assertThat(access.get(i).stop()).as("frames of S-VLAN 100 on access guest vm%d's wire", i + 1).isEmpty();
            }
        }
    }

    /** {@code vm-configs/three-vms-two-vlans.yaml}, the lab users start from, isolates its VLANs. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ThreeVmsTwoVlans {
        private VmLab lab;

        @BeforeAll
        void up() throws Exception {
            Root.require();
            lab = VmLab.up("three-vms-two-vlans.yaml");
        }

        @AfterAll
        void down() throws Exception {
            if (lab != null) {
                lab.close();
            }
        }

        @Test
        void vlansAreIsolatedAndTheTrunkGuestReachesBoth() throws Exception {
            GuestCapture atVm2 = GuestCapture.start(lab, "vm2", "arp or icmp");
            assertNoReply(lab.ping("vm1", "198.18.20.12", 2), "vm1 (VLAN 10) -> vm2 (VLAN 20)");
            assertThat(lab.pings("vm3", "198.18.10.11", 2)).as("vm3 eth0.10 -> vm1").isTrue();
            assertThat(lab.pings("vm3", "198.18.20.12", 2)).as("vm3 eth0.20 -> vm2").isTrue();
            // on vm2's wire: nothing from vm1, and vm3's pings (vm2 is alive and watched)
            assertThat(atVm2.stop()).as("vm2's wire").noneMatch(l -> l.contains("52:54:00:74:73:21 >"))
                    .anyMatch(l -> l.contains("52:54:00:74:73:23 > 52:54:00:74:73:22")
                            && l.contains("198.18.20.13 > 198.18.20.12: ICMP echo request"));
            assertThat(lab.exec("vm1", "arp -n 198.18.20.12 2>&1; ip neigh show 198.18.20.12", Duration.ofSeconds(10))
                    .output()).doesNotContain("52:54:00:74:73:22");
            int vm1Port = lab.view().topology().idOf("ts-v2-vm1");
            assertThat(lab.view().topology().port(vm1Port).stats().decisions(Reason.FLOOD_BROADCAST)).isPositive();
        }
    }

    /** A negative: the pings were sent, and not one came back. */
    private static void assertNoReply(VmLab.Ping ping, String what) {
        assertThat(ping.transmitted()).as("%s: requests sent (%s)", what, ping.output()).isPositive();
        assertThat(ping.received()).as("%s: replies (%s)", what, ping.output()).isZero();
    }
}
