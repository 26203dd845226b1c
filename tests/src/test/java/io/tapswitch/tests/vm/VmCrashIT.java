package io.tapswitch.tests.vm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.client.ApiClient;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.vm.PortAttacher;
import io.tapswitch.agent.vm.VmManager;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.lab.GuestImage;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent killed with SIGKILL while a VM lab runs on it: the guests and their TAPs outlive it, and
 * the agent started again takes the lab's TAPs back as ports (same ifindex, nothing recreated), so
 * the guests talk again without being restarted. The agents are separate processes running
 * {@code tapswitch run --config FILE}, as users run them.
 */
class VmCrashIT {
    private static final Path LAB = VmLab.ROOT.resolve("vm-configs/two-vms.yaml");
    private static final Pattern API = Pattern.compile("api: (http://[^/\\s]+)");
    private static final List<Process> agents = new ArrayList<>();
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        GuestImage.build();
        dir = Files.createTempDirectory("tsvmcrash");
        Files.writeString(dir.resolve("switch.yaml"), """
                name: tsvmcrash
                http:
                  host: 127.0.0.1
                  port: 0
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : agents) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // Whatever a failed run left: guests, TAPs and state.
        VmManager.withDefaults(PortAttacher.NONE).down("two-vms");
        for (String port : List.of("ts-vm1-0", "ts-vm2-0")) {
            assertThat(NetDevice.exists(port)).as("TAP %s removed", port).isFalse();
        }
        HostCommand.run(List.of("rm", "-rf", dir.toString()));
    }

    /** Starts {@code tapswitch run} in its own JVM and returns the API URL it printed. */
    private static String startAgent(Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.tapswitch.agent.cli.Main", "run", "--config", dir.resolve("switch.yaml").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        agents.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Matcher m = API.matcher(Files.readString(log));
            if (m.find()) {
                return m.group(1);
            }
            assertThat(p.isAlive()).as("agent running; log:\n" + Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("agent up within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static int ifindex(String link) throws Exception {
        return Integer.parseInt(Files.readString(Path.of("/sys/class/net", link, "ifindex")).trim());
    }

    private static List<Long> qemuPids(String url) {
        List<Long> pids = new ArrayList<>();
        new ApiClient(url, null).get("/vms").path("vms").forEach(v -> {
            if (v.path("lab").asText().equals("two-vms") && v.path("state").asText().equals("RUNNING")) {
                pids.add(v.path("pid").asLong());
            }
        });
        return pids;
    }

    @Test
    void aRestartedAgentTakesBackTheTapsOfGuestsThatOutlivedItsCrash() throws Exception {
        String first = startAgent(dir.resolve("agent1.log"));
        CommandResult up = Cli.run(first, "vm", "up", LAB.toString());
        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(Cli.run(first, "vm", "exec", "two-vms", "vm1", "ping", "-c", "2", "-W", "2", "198.18.0.12").output())
                .contains("2 packets received");
        List<Long> pids = qemuPids(first);
        assertThat(pids).hasSize(2);
        int index1 = ifindex("ts-vm1-0");
        int index2 = ifindex("ts-vm2-0");

        Process crashed = agents.get(0);
        crashed.destroyForcibly();
        assertThat(crashed.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(crashed.exitValue()).as("exit status of SIGKILL").isEqualTo(137);
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("guest %d outlives the agent", pid)
                    .isTrue();
        }

        Path log2 = dir.resolve("agent2.log");
        String second = startAgent(log2);
        JsonNode ports = new ApiClient(second, null).get("/ports");
        List<String> names = new ArrayList<>();
        ports.path("ports").forEach(p -> names.add(p.path("name").asText()));
        assertThat(names).as("log:\n" + Files.readString(log2)).containsExactlyInAnyOrder("ts-vm1-0", "ts-vm2-0");
        assertThat(ifindex("ts-vm1-0")).as("TAP not recreated").isEqualTo(index1);
        assertThat(ifindex("ts-vm2-0")).as("TAP not recreated").isEqualTo(index2);
        assertThat(qemuPids(second)).as("the same guests, not restarted").containsExactlyInAnyOrderElementsOf(pids);

        CommandResult ping = Cli.run(second, "vm", "exec", "two-vms", "vm2", "ping", "-c", "3", "-W", "2", "198.18.0.11");
        assertThat(ping.output()).as("guests talk through the restarted switch").contains("3 packets received");
        JsonNode fdb = new ApiClient(second, null).get("/fdb");
        List<String> learned = new ArrayList<>();
        fdb.path("entries").forEach(e -> learned.add(e.path("mac").asText() + "@" + e.path("port").asText()));
        assertThat(learned).contains("52:54:00:74:73:11@ts-vm1-0", "52:54:00:74:73:12@ts-vm2-0");
        assertThat(Files.readString(dir.resolve("switch.yaml"))).as("lab ports are not written to the config file")
                .doesNotContain("ts-vm1-0");

        Process restarted = agents.get(1);
        restarted.destroy();
        assertThat(restarted.waitFor(30, TimeUnit.SECONDS)).as("orderly stop").isTrue();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("an orderly stop brings the lab down: guest %d", pid).isFalse();
        }
        assertThat(NetDevice.exists("ts-vm1-0")).as("and removes its TAPs").isFalse();
    }
}
