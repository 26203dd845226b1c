package io.tapswitch.tests.vm;

import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vm-configs/two-vms.yaml} on the switch: two QEMU guests whose virtio-net NICs keep QEMU's
 * default offloads (partial checksums, TSO) talk through netdev ports. Ping proves forwarding; a
 * TCP transfer with matching checksums proves the virtio-net header is carried end to end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoVmsIT {
    private static VmLab lab;

    @BeforeAll
    static void up() throws Exception {
        Root.require();
        lab = VmLab.up("two-vms.yaml");
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null) {
            lab.close();
            for (String port : List.of("ts-vm1-0", "ts-vm2-0")) {
                assertThat(HostCommand.run(List.of("ip", "link", "show", port)).succeeded()).as("TAP %s removed", port).isFalse();
            }
        }
    }

    @Test
    @Order(1)
    void guestsPingEachOther() throws Exception {
        assertThat(lab.pings("vm1", "198.18.0.12", 3)).isTrue();
        assertThat(lab.pings("vm2", "198.18.0.11", 3)).isTrue();
        assertThat(lab.exec("vm1", "ping -6 -c 2 -W 2 fd00:7473::12", Duration.ofSeconds(30)).output())
                .contains("2 packets received");
    }

    @Test
    @Order(2)
    void fdbHoldsBothGuestsOnTheirPorts() {
        var t = lab.view().topology();
        assertThat(lab.view().fdb().lookup(0, MacAddress.parse("52:54:00:74:73:11"))).isEqualTo(t.idOf("ts-vm1-0"));
        assertThat(lab.view().fdb().lookup(0, MacAddress.parse("52:54:00:74:73:12"))).isEqualTo(t.idOf("ts-vm2-0"));
    }

    @Test
    @Order(3)
    void tcpTransferWithGuestOffloadsArrivesIntact() throws Exception {
        lab.exec("vm2", "rm -f /tmp/rx; (sleep 600 | nc -l -p 5001 > /tmp/rx &)", Duration.ofSeconds(10));
        GuestConsole.Result sent = lab.exec("vm1",
                "dd if=/dev/urandom of=/tmp/tx bs=1M count=6 2>/dev/null && nc 198.18.0.12 5001 < /tmp/tx && md5sum /tmp/tx",
                Duration.ofSeconds(120));
        String txSum = sent.output().trim().split("\\s+")[0];
        assertThat(txSum).hasSize(32);
        String rxSum = "";
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            GuestConsole.Result r = lab.exec("vm2", "wc -c < /tmp/rx; md5sum /tmp/rx", Duration.ofSeconds(30));
            List<String> lines = r.output().trim().lines().toList();
            if (lines.size() == 2 && lines.get(0).trim().equals(String.valueOf(6 * 1024 * 1024))) {
                rxSum = lines.get(1).split("\\s+")[0];
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(rxSum).as("md5 of the 6 MiB received by vm2").isEqualTo(txSum);
        System.out.printf("TwoVmsIT: 6 MiB over TCP vm1 -> vm2 intact (md5 %s), boot took %.1f s%n", txSum,
                lab.bootMillis() / 1000.0);
    }
}
