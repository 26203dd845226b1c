package io.tapswitch.tests.vm;

import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The switch's VLAN modes against the Linux kernel's own 802.1Q and 802.1ad in QEMU guests: the
 * host kernel here has no VLAN subinterfaces, the guests' Debian kernel does.
 */
class VlanVmsIT {

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
            assertThat(lab.pings("vm1", "198.18.10.2", 2)).as("vm1 -> vm2, both VLAN 10").isTrue();
            assertThat(lab.pings("vm1", "198.18.20.3", 2)).as("vm1 (VLAN 10) -> vm3 (VLAN 20), same /16").isFalse();
            assertThat(lab.pings("vm3", "198.18.10.2", 2)).as("vm3 (VLAN 20) -> vm2 (VLAN 10)").isFalse();
            long vm3 = MacAddress.parse("52:54:00:74:74:03");
            assertThat(lab.view().fdb().lookup(20, vm3)).isEqualTo(lab.view().topology().idOf("ts-vi-vm3"));
            assertThat(lab.view().fdb().lookup(10, vm3)).isEqualTo(-1);
        }

        @Test
        void trunkGuestReachesBothVlansThroughItsSubinterfaces() throws Exception {
            assertThat(lab.pings("vm4", "198.18.10.1", 2)).as("vm4 eth0.10 -> vm1").isTrue();
            assertThat(lab.pings("vm4", "198.18.10.2", 2)).as("vm4 eth0.10 -> vm2").isTrue();
            assertThat(lab.pings("vm4", "198.18.20.3", 2)).as("vm4 eth0.20 -> vm3").isTrue();
            long vm4 = MacAddress.parse("52:54:00:74:74:04");
            int trunk = lab.view().topology().idOf("ts-vi-vm4");
            assertThat(lab.view().fdb().lookup(10, vm4)).isEqualTo(trunk);
            assertThat(lab.view().fdb().lookup(20, vm4)).isEqualTo(trunk);
        }

        @Test
        void qinqThroughADot1qTunnelPort() throws Exception {
            // vm5 sends C-tagged VLAN 30; the switch carries it in S-tag 100 (0x88a8) to the trunk,
            // where vm4's 802.1ad eth0.100 and 802.1Q eth0.100.30 take both tags off
            assertThat(lab.pings("vm5", "198.18.30.4", 3)).as("vm5 eth0.30 -> vm4 eth0.100.30").isTrue();
            long vm5 = MacAddress.parse("52:54:00:74:74:05");
            assertThat(lab.view().fdb().lookup(100, vm5)).isEqualTo(lab.view().topology().idOf("ts-vi-vm5"));
            assertThat(lab.view().vlanStats().packets(100)).isPositive();
            // the S-VLAN is not an access VLAN: nothing of it leaks to the access guests
            assertThat(lab.pings("vm5", "198.18.10.1", 1)).isFalse();
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
            assertThat(lab.pings("vm1", "198.18.20.12", 2)).as("vm1 (VLAN 10) -> vm2 (VLAN 20)").isFalse();
            assertThat(lab.pings("vm3", "198.18.10.11", 2)).as("vm3 eth0.10 -> vm1").isTrue();
            assertThat(lab.pings("vm3", "198.18.20.12", 2)).as("vm3 eth0.20 -> vm2").isTrue();
            assertThat(lab.exec("vm1", "arp -n 198.18.20.12 2>&1; ip neigh show 198.18.20.12", Duration.ofSeconds(10))
                    .output()).doesNotContain("52:54:00:74:73:22");
            int vm1Port = lab.view().topology().idOf("ts-v2-vm1");
            assertThat(lab.view().topology().port(vm1Port).stats().decisions(Reason.FLOOD_BROADCAST)).isPositive();
        }
    }
}
