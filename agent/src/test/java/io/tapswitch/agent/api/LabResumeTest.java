package io.tapswitch.agent.api;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.MemoryDevices;
import io.tapswitch.agent.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent starting after a crash finds a lab whose VMs were all stopped on purpose: it takes their
 * ports back (the TAPs outlive QEMU; here the port is {@code lo}, a link that always exists, opened
 * in memory) and leaves the VMs STOPPED, neither booting them nor forgetting them. A VM whose QEMU
 * ended on its own stays EXITED with its port left alone, as before.
 */
class LabResumeTest {
    @TempDir
    Path dir;

    @Test
    void aStoppedVmKeepsItsPortAndStaysStoppedAcrossAnAgentCrash() throws Exception {
        Path lab = dir.resolve("state").resolve("vms").resolve("demo");
        Files.createDirectories(lab);
        Path labFile = dir.resolve("demo.yaml");
        Files.writeString(labFile, """
                name: demo
                guest: {kernel: /nonexistent/vmlinuz}
                vms:
                  - name: vm1
                    nics: [{port: lo, mac: "52:54:00:74:76:21", vlan: 7}]
                  - name: vm2
                    nics: [{port: tsvc-gone-0, mac: "52:54:00:74:76:22"}]
                """);
        // pid 0 is never a QEMU; vm1 was stopped with `vm stop`, vm2's QEMU died on its own.
        Files.writeString(lab.resolve("lab.json"), """
                {"lab": "demo", "vms": [
                  {"name": "vm1", "pid": 0, "startEpochMillis": -1, "ports": ["lo"], "log": "%1$s/vm1.log",
                   "socket": "%1$s/vm1.sock", "stopped": true},
                  {"name": "vm2", "pid": 0, "startEpochMillis": -1, "ports": ["tsvc-gone-0"], "log": "%1$s/vm2.log",
                   "socket": "%1$s/vm2.sock"}]}
                """.formatted(lab));
        // The agent that brought it up (pid 0: not running) crashed.
        Files.writeString(lab.resolve("lab-file"), labFile + "\n0\n");

        Path config = dir.resolve("switch.yaml");
        Files.writeString(config, RunningAgent.emptyConfig());
        // lo stands for the stopped guest's TAP, which outlives its QEMU.
        MemoryDevices devices = new MemoryDevices().exist("lo");
        try (Agent agent = Agent.start(new ConfigLoader().load(config), RunningAgent.options(config, devices))) {
            assertThat(agent.controlPlane().config().port("lo")).as("the stopped VM's port is taken back").isNotNull();
            assertThat(agent.controlPlane().config().port("lo").vlan().tag()).isEqualTo(7);
            assertThat(agent.controlPlane().ownerOf("lo")).isEqualTo("lab demo");
            assertThat(agent.controlPlane().config().port("tsvc-gone-0")).isNull();

            Http.Reply vms = new Http(agent.apiUrl() + "/api/v1", agent.access().token()).send("GET", "/vms", null, null);
            assertThat(vms.json().path("vms").get(0).path("state").asText()).isEqualTo("STOPPED");
            assertThat(vms.json().path("vms").get(0).path("pid").asLong()).as("not booted").isZero();
            assertThat(vms.json().path("vms").get(1).path("state").asText()).isEqualTo("EXITED");
            // The lab's teardown when the agent stops deletes the TAPs its state names: not the host's lo.
            Files.delete(lab.resolve("lab.json"));
        }
    }
}
