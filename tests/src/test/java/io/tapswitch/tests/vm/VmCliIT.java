package io.tapswitch.tests.vm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.Agent;
import io.tapswitch.agent.client.ApiClient;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user types: {@code tapswitch vm up vm-configs/two-vms.yaml} against a running agent, then
 * a ping from inside a guest, read back from its serial log, then {@code vm down}. The agent does
 * the work, so the API lists the VMs, the FDB holds their MACs on their ports, and after
 * {@code down} no QEMU, TAP or port of the lab is left.
 */
class VmCliIT {
    private static final Path LAB = VmLab.ROOT.resolve("vm-configs/two-vms.yaml");
    private static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        agent = CliAgent.start("vmcli");
    }

    @AfterAll
    static void stop() throws Exception {
        CliAgent.stop(agent, List.of("ts-vm1-0", "ts-vm2-0"));
    }

    private static CommandResult tapswitch(String group, String... rest) {
        return Cli.run(agent.apiUrl(), group, rest);
    }

    @Test
    void upPingFromTheGuestAndDown() throws Exception {
        long start = System.nanoTime();
        CommandResult up = tapswitch("vm", "up", LAB.toString());
        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(up.output()).contains("vm1: network up after").contains("vm2: network up after");
        System.out.printf("VmCliIT: vm up returned with both guests ready after %.1f s%n", (System.nanoTime() - start) / 1e9);
        try {
            JsonNode vms = new ApiClient(agent.apiUrl(), null).get("/vms");
            List<String> running = new ArrayList<>();
            vms.path("vms").forEach(v -> {
                if (v.path("lab").asText().equals("two-vms") && v.path("state").asText().equals("RUNNING")) {
                    running.add(v.path("name").asText());
                }
            });
            assertThat(running).containsExactlyInAnyOrder("vm1", "vm2");
            assertThat(tapswitch("vm", "list").output()).contains("two-vms").contains("ts-vm1-0").contains("RUNNING");

            CommandResult ping = tapswitch("vm", "exec", "two-vms", "vm1", "ping", "-c", "3", "-W", "2", "198.18.0.12");
            assertThat(ping.exitCode()).as(ping.output()).isZero();
            assertThat(ping.output()).contains("3 packets received");
            Path serial = Path.of(vms.path("vms").get(0).path("consoleLog").asText()).resolveSibling("vm1.log");
            assertThat(Files.readString(serial)).as("the guest's serial log shows its own ping")
                    .contains("64 bytes from 198.18.0.12").contains("3 packets received");

            var t = agent.view().topology();
            assertThat(agent.view().fdb().lookup(0, MacAddress.parse("52:54:00:74:73:11"))).isEqualTo(t.idOf("ts-vm1-0"));
            assertThat(agent.view().fdb().lookup(0, MacAddress.parse("52:54:00:74:73:12"))).isEqualTo(t.idOf("ts-vm2-0"));
            assertThat(agent.controlPlane().ownerOf("ts-vm1-0")).isEqualTo("lab two-vms");

            CommandResult failed = tapswitch("vm", "exec", "two-vms", "vm1", "ping", "-c", "1", "-W", "1", "198.18.0.99");
            assertThat(failed.exitCode()).as("a failing guest command's status comes back").isNotZero();
        } finally {
            List<Long> pids = new ArrayList<>();
            new ApiClient(agent.apiUrl(), null).get("/vms").path("vms").forEach(v -> {
                if (v.path("lab").asText().equals("two-vms")) {
                    pids.add(v.path("pid").asLong());
                }
            });
            CommandResult down = tapswitch("vm", "down", LAB.toString());
            assertThat(down.exitCode()).as(down.output()).isZero();
            for (long pid : pids) {
                Optional<ProcessHandle> p = ProcessHandle.of(pid);
                assertThat(p.isPresent() && p.get().isAlive()).as("QEMU %d stopped", pid).isFalse();
            }
        }
        assertThat(agent.controlPlane().config().ports()).isEmpty();
        assertThat(agent.view().topology().size()).isZero();
        for (String port : List.of("ts-vm1-0", "ts-vm2-0")) {
            assertThat(NetDevice.exists(port)).as("TAP %s removed by vm down", port).isFalse();
        }
        assertThat(tapswitch("vm", "down", "two-vms").exitCode()).as("a lab that is down is not found").isNotZero();
    }
}
