package io.tapswitch.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.MemoryDevices;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.agent.state.ConflictException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Labs} as the agent a lab across hosts is brought up from, with the other hosts faked: what it
 * asks them, and what it does when one fails. Every VM of the lab runs elsewhere, so no QEMU is needed.
 */
class LabsAcrossHostsTest {
    @TempDir
    Path dir;
    private Agent agent;
    private Labs labs;
    private final FakeHosts hosts = new FakeHosts();

    /** Hosts b and c; {@link #failing} fails every call made to it. */
    static final class FakeHosts implements RemoteLabs {
        final List<String> calls = new ArrayList<>();
        String failing = "";

        @Override
        public String self() {
            return "a";
        }

        @Override
        public Set<String> hosts() {
            return Set.of("b", "c");
        }

        private void call(String host, String what) {
            calls.add(what + " " + host);
            if (host.equals(failing)) {
                throw new Unreachable(host, "no answer within 5 s");
            }
        }

        @Override
        public List<Labs.VmView> up(String host, String yaml, String file, List<String> vms, String origin) {
            call(host, "up " + vms + " from " + origin);
            return vms.stream().map(v -> view(v, host)).toList();
        }

        @Override
        public void down(String host, String lab) {
            call(host, "down " + lab);
        }

        @Override
        public List<Labs.VmView> vms(String host) {
            call(host, "vms");
            return List.of(view(host.equals("b") ? "vb" : "vc", host));
        }

        private static Labs.VmView view(String vm, String host) {
            return new Labs.VmView("spread", vm, 42, VmStatus.State.RUNNING, List.of("ts-lah-" + vm), "/x/" + vm + ".log", host);
        }
    }

    @BeforeEach
    void start() throws Exception {
        agent = Agent.start(new ConfigLoader().parse("test", """
                name: lah-test
                http: {port: 0}
                vxlan: {address: 198.19.80.1}
                ports: []
                """), new AgentOptions().setDeviceOpener(new MemoryDevices()).setStateDirectory(dir.resolve("state")));
        labs = agent.labs();
        labs.remote(hosts);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    private String labFile() throws Exception {
        Path file = dir.resolve("spread.yaml");
        Files.writeString(file, """
                name: spread
                guest: {kernel: /k, initrd: /i}
                vms:
                  - name: vb
                    host: b
                    nics: [{port: ts-lah-vb, mac: "52:54:00:74:6c:0b", vlan: 10}]
                  - name: vc
                    host: c
                    nics: [{port: ts-lah-vc, mac: "52:54:00:74:6c:0c", vlan: 10}]
                """);
        return file.toString();
    }

    @Test
    void eachHostIsAskedForItsShareAndListsAndDownGoToThem() throws Exception {
        List<Labs.VmView> up = labs.up(labFile());

        assertThat(up).extracting(v -> v.name() + "@" + v.host()).containsExactly("vb@b", "vc@c");
        assertThat(hosts.calls).containsExactly("up [vb] from a b", "up [vc] from a c");
        assertThat(labs.vms()).extracting(v -> v.name() + "@" + v.host() + ":" + v.state())
                .containsExactly("vb@b:RUNNING", "vc@c:RUNNING");

        hosts.calls.clear();
        assertThat(labs.down("spread")).isEmpty();
        assertThat(hosts.calls).containsExactly("down spread b", "down spread c");
        assertThat(labs.vms()).isEmpty();
    }

    @Test
    void aHostFailingDuringUpFailsTheWholeUpNamingItAndTheHostsAlreadyUpAreBroughtDown() throws Exception {
        hosts.failing = "c";

        assertThatThrownBy(() -> labs.up(labFile())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("host 'c' did not start VMs [vc]").hasMessageContaining("down again");
        assertThat(hosts.calls).containsExactly("up [vb] from a b", "up [vc] from a c", "down spread b");
        hosts.calls.clear();
        assertThat(labs.vms()).isEmpty();
        assertThat(hosts.calls).as("nothing left to ask about").isEmpty();
    }

    @Test
    void aHostGoneLaterIsListedUnreachableAndDownReportsItButForgetsTheLab() throws Exception {
        labs.up(labFile());
        hosts.failing = "b";

        assertThat(labs.vms()).extracting(v -> v.name() + "@" + v.host() + ":" + v.state())
                .containsExactly("vb@b:UNREACHABLE", "vc@c:RUNNING");
        assertThat(labs.down("spread")).containsExactly("b");
        assertThat(hosts.calls).contains("down spread c");
        assertThat(labs.vms()).isEmpty();
    }
}
