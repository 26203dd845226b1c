package io.tapswitch.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapswitch.agent.CliRun;
import io.tapswitch.agent.check.CheckResult;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tapswitch vm test} before it needs an agent: the lab file, and how results are printed. */
class VmTestCommandTest {
    private static final String LAB = """
            name: t
            guest: {kernel: k}
            vms:
              - {name: vm1, nics: [{port: p1, mac: "52:54:00:00:00:01", ip: 198.18.0.1/24}]}
            """;
    /** Nothing listens here: the cases below must not need the agent. */
    private static final String NO_AGENT = "--url=http://127.0.0.1:9";

    @Test
    void aLabWithoutChecksHasNothingToTest(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("t.yaml"), LAB);
        CliRun.Result r = CliRun.run("vm", NO_AGENT, "test", file.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("lab t has no checks: nothing to test");
    }

    @Test
    void aBadCheckIsRefusedNamingItsFieldBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("t.yaml"), LAB + "checks:\n  - {name: c, ping: {from: vm1, to: vm9}}\n");
        CliRun.Result r = CliRun.run("vm", NO_AGENT, "test", file.toString(), "--junit", dir.resolve("out.xml").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("checks[0].ping.to: 'vm9' is neither a VM of this lab nor an IP address");
        assertThat(dir.resolve("out.xml")).doesNotExist();
    }

    @Test
    void anUnreachableAgentIsAnErrorNotAPass(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("t.yaml"), LAB + "checks:\n  - {name: c, exec: {vm: vm1, command: \"true\"}}\n");
        CliRun.Result r = CliRun.run("vm", NO_AGENT, "test", file.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the agent");
    }

    @Test
    void theTableHasCheckKindResultTimeAndEvidence() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        VmTestCommand.print(List.of(
                new CheckResult("t", "reach", "ping", CheckResult.Status.PASS, 512, "3/3 received, rtt avg 1.2 ms", List.of("vm1")),
                new CheckResult("t", "iso", "isolation", CheckResult.Status.FAIL, 2048, "2/2 replies", List.of("vm1"))),
                3000, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "CHECK  KIND       RESULT  TIME  EVIDENCE",
                "reach  ping       PASS    0.5s  3/3 received, rtt avg 1.2 ms",
                "iso    isolation  FAIL    2.0s  2/2 replies",
                "1 passed, 1 failed, 0 errors in 3.0 s");
    }
}
