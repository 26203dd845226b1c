package io.tapswitch.tests.vm;

import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vm-configs/monitor.yaml}, as the README's "Watching traffic" tells users to run it: the
 * lab's mirror copies vm1's traffic to the monitor guest's port, and tcpdump inside the monitor
 * guest sees the pings between vm1 and vm2, unicast between two other MACs.
 */
class MonitorVmsIT {
    private static VmLab lab;

    @BeforeAll
    static void up() throws Exception {
        Root.require();
        lab = VmLab.up("monitor.yaml");
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void monitorGuestSeesPingsBetweenTwoOtherGuests() throws Exception {
        assertThat(lab.view().topology().mirrorConfigs()).extracting(m -> m.name()).containsExactly("vm1-span");
        assertThat(lab.pings("vm1", "198.18.1.12", 1)).isTrue();
        lab.exec("mon", "rm -f /tmp/cap; (tcpdump -l -n -e -i eth0 icmp > /tmp/cap 2>/dev/null &); sleep 2",
                Duration.ofSeconds(20));
        assertThat(lab.pings("vm1", "198.18.1.12", 4)).isTrue();
        GuestConsole.Result seen = lab.exec("mon", "sleep 1; killall tcpdump; sleep 1; cat /tmp/cap", Duration.ofSeconds(20));
        List<String> lines = seen.output().lines().filter(l -> l.contains("ICMP")).toList();
        assertThat(lines.stream().filter(l -> l.contains("52:54:00:74:73:31 > 52:54:00:74:73:32")
                && l.contains("198.18.1.11 > 198.18.1.12: ICMP echo request"))).hasSize(4);
        assertThat(lines.stream().filter(l -> l.contains("52:54:00:74:73:32 > 52:54:00:74:73:31")
                && l.contains("198.18.1.12 > 198.18.1.11: ICMP echo reply"))).hasSize(4);
        assertThat(lab.view().mirrorStats("vm1-span").copied()).isGreaterThanOrEqualTo(8);
    }
}
