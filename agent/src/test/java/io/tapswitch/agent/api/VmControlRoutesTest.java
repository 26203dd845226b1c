package io.tapswitch.agent.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-VM control over REST against a lab whose state file says its only VM was stopped on purpose
 * (no QEMU needed): it is listed as STOPPED, its NIC's link goes down and up through the control
 * plane, and what cannot be done is refused with the reason.
 */
class VmControlRoutesTest {
    @TempDir
    Path dir;
    private RunningAgent a;

    @BeforeEach
    void start() throws Exception {
        a = RunningAgent.start(dir, """
                name: vmctl
                http: {port: 0}
                ports:
                  - {name: tsvc-vm1-0}
                """);
        Path lab = dir.resolve("state").resolve("vms").resolve("demo");
        Files.createDirectories(lab);
        // pid 0 is never a QEMU: the VM is not running.
        Files.writeString(lab.resolve("lab.json"), """
                {"lab": "demo", "vms": [{"name": "vm1", "pid": 0, "startEpochMillis": -1,
                  "ports": ["tsvc-vm1-0"], "log": "%1$s/vm1.log", "socket": "%1$s/vm1.sock", "stopped": true}]}
                """.formatted(lab));
        Files.writeString(lab.resolve("lab-file"), dir.resolve("gone.yaml") + "\n0\n");
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
    }

    @Test
    void aVmStoppedOnPurposeIsListedAsStoppedNotExited() {
        Http.Reply r = a.http.send("GET", "/vms", null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("vms").get(0).path("state").asText()).isEqualTo("STOPPED");

        Http.Reply again = a.http.send("POST", "/labs/demo/vms/vm1/stop", null, null);
        assertThat(again.status()).as(again.raw().body()).isEqualTo(200);
        assertThat(again.json().path("state").asText()).as("stopping a stopped VM is no error").isEqualTo("STOPPED");
    }

    @Test
    void aNicLinkGoesDownAndUpThroughTheControlPlane() {
        long before = a.agent.controlPlane().revision();
        Http.Reply down = a.http.send("PUT", "/labs/demo/vms/vm1/nics/eth0/link", "{\"up\": false}", null);
        assertThat(down.status()).as(down.raw().body()).isEqualTo(200);
        assertThat(down.json().path("port").asText()).isEqualTo("tsvc-vm1-0");
        assertThat(down.json().path("up").asBoolean()).isFalse();
        assertThat(down.json().path("guestNotified").asBoolean()).as("a stopped guest is not told").isFalse();
        assertThat(a.agent.controlPlane().config().port("tsvc-vm1-0").enabled()).isFalse();
        assertThat(a.agent.controlPlane().revision()).isEqualTo(before + 1);

        Http.Reply up = a.http.send("PUT", "/labs/demo/vms/vm1/nics/eth0/link", "{\"up\": true}", null);
        assertThat(up.status()).isEqualTo(200);
        assertThat(a.agent.controlPlane().config().port("tsvc-vm1-0").enabled()).isTrue();
    }

    @Test
    void whatCannotBeDoneIsRefusedWithTheReason() {
        Http.Reply noNic = a.http.send("PUT", "/labs/demo/vms/vm1/nics/eth1/link", "{\"up\": false}", null);
        assertThat(noNic.status()).isEqualTo(404);
        assertThat(noNic.raw().body()).contains("eth0..eth0");

        Http.Reply noVm = a.http.send("POST", "/labs/demo/vms/vm9/start", null, null);
        assertThat(noVm.status()).isEqualTo(404);

        Http.Reply noFile = a.http.send("POST", "/labs/demo/vms/vm1/start", null, null);
        assertThat(noFile.status()).as("the lab file it came from is gone").isEqualTo(409);
        assertThat(noFile.raw().body()).contains("gone.yaml");
        assertThat(a.agent.controlPlane().config().port("tsvc-vm1-0").enabled()).isTrue();
    }
}
