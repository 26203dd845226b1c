package io.tapswitch.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.agent.vm.LabFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The runner's scheduling and the checks' verdicts, against a scripted fake of the guests' shells. */
class CheckRunnerTest {
    private static final String LAB = """
            name: three
            guest: {kernel: k}
            vms:
              - name: vm1
                nics: [{port: p1, mac: "52:54:00:00:00:01", ip: 198.18.10.11/16, vlan: 10}]
              - name: vm2
                nics: [{port: p2, mac: "52:54:00:00:00:02", ip: 198.18.20.12/16, vlan: 20}]
              - name: vm3
                nics:
                  - port: p3
                    mac: "52:54:00:00:00:03"
                    trunk: [10, 20]
                    vlans: [{id: 10, ip: 198.18.10.13/24}, {id: 20, ip: 198.18.20.13/24}]
            checks:
            """;

    private static LabFile lab(String checks) {
        return LabFile.parse(LAB + checks, Path.of("/labs"), "t.yaml");
    }

    /** Records which commands ran where and when, and whether a VM was ever used by two threads at once. */
    private static final class FakeShell implements GuestShell {
        final BiFunction<String, String, GuestConsole.Result> script;
        final Map<String, AtomicInteger> inUse = new ConcurrentHashMap<>();
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger maxActive = new AtomicInteger();
        volatile boolean vmShared;
        final List<String> log = Collections.synchronizedList(new ArrayList<>());

        FakeShell(BiFunction<String, String, GuestConsole.Result> script) {
            this.script = script;
        }

        @Override
        public GuestConsole.Result exec(String vm, String command, Duration timeout) throws TimeoutException {
            if (inUse.computeIfAbsent(vm, v -> new AtomicInteger()).incrementAndGet() > 1) {
                vmShared = true;
            }
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            log.add("start " + vm + " " + command);
            try {
                Thread.sleep(150);
                GuestConsole.Result r = script.apply(vm, command);
                if (r == null) {
                    throw new TimeoutException("guest did not finish '" + command + "'");
                }
                return r;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                log.add("end " + vm + " " + command);
                active.decrementAndGet();
                inUse.get(vm).decrementAndGet();
            }
        }
    }

    private static GuestConsole.Result ok(String output) {
        return new GuestConsole.Result(0, output);
    }

    @Test
    void checksOnDifferentVmsOverlapAndChecksSharingAVmRunInFileOrder() throws Exception {
        LabFile lab = lab("""
                  - {name: a, exec: {vm: vm1, command: "echo a"}}
                  - {name: b, exec: {vm: vm2, command: "echo b"}}
                  - {name: c, exec: {vm: vm1, command: "echo c"}}
                  - {name: d, exec: {vm: vm3, command: "echo d"}}
                """);
        FakeShell shell = new FakeShell((vm, cmd) -> ok(cmd.substring(5) + "\n"));
        List<String> streamed = Collections.synchronizedList(new ArrayList<>());
        List<CheckResult> results = new CheckRunner(lab, shell, 4).run(lab.checks(), r -> streamed.add(r.name()));

        assertThat(results).extracting(CheckResult::name).containsExactly("a", "b", "c", "d");
        assertThat(results).extracting(CheckResult::status).containsOnly(CheckResult.Status.PASS);
        assertThat(streamed).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(shell.vmShared).as("a VM's console used by two checks at once").isFalse();
        assertThat(shell.maxActive.get()).as("a, b and d share no VM").isEqualTo(3);
        assertThat(shell.log.indexOf("end vm1 echo a")).isLessThan(shell.log.indexOf("start vm1 echo c"));
        assertThat(results.get(0).durationMillis()).isGreaterThanOrEqualTo(150);
        assertThat(results.get(0).evidence()).isEqualTo("exit 0, output: a");
    }

    @Test
    void aLaterCheckNeverOvertakesAnEarlierOneWaitingForTheSameVm() throws Exception {
        LabFile lab = lab("""
                  - {name: first, ping: {from: vm1, to: vm3}}
                  - {name: second, exec: {vm: vm3, command: "echo x"}}
                  - {name: third, exec: {vm: vm1, command: "echo y"}}
                """);
        FakeShell shell = new FakeShell((vm, cmd) -> ok("3 packets transmitted, 3 packets received, 0% packet loss\n"
                + "round-trip min/avg/max = 0.5/1.25/2.0 ms\n"));
        List<CheckResult> results = new CheckRunner(lab, shell, 1).run(lab.checks(), r -> { });
        assertThat(shell.maxActive.get()).isEqualTo(1);
        assertThat(shell.log).first().asString().startsWith("start vm1 ping -c 3");
        assertThat(shell.log.get(0)).as("the address of vm3 on vm1's VLAN").endsWith(" 198.18.10.13");
        assertThat(results.get(0).evidence()).isEqualTo("3/3 received, rtt avg 1.3 ms from vm1 to vm3 (198.18.10.13)");
    }

    @Test
    void wrongExitOrOutputFailsAndAHungGuestIsAnError() throws Exception {
        LabFile lab = lab("""
                  - {name: exit, exec: {vm: vm1, command: "false"}}
                  - {name: output, exec: {vm: vm2, command: "uname -r", expectOutput: "^6\\\\."}}
                  - {name: hung, exec: {vm: vm3, command: "sleep 999"}}
                """);
        FakeShell shell = new FakeShell((vm, cmd) -> switch (cmd) {
            case "false" -> new GuestConsole.Result(1, "");
            case "uname -r" -> ok("5.10.0\n");
            default -> null;
        });
        List<CheckResult> results = new CheckRunner(lab, shell, 3).run(lab.checks(), r -> { });
        assertThat(results).extracting(CheckResult::status).containsExactly(
                CheckResult.Status.FAIL, CheckResult.Status.FAIL, CheckResult.Status.ERROR);
        assertThat(results.get(0).evidence()).isEqualTo("exit 1 (expected 0), output: (none)");
        assertThat(results.get(1).evidence()).isEqualTo("exit 0, no match for /^6\\./, output: 5.10.0");
        assertThat(results.get(2).evidence()).startsWith("timed out: guest did not finish 'sleep 999'");
    }

    @Test
    void aMatchingExecShowsTheLinesThatMatchedNotTheWholeOutput() throws Exception {
        LabFile lab = lab("""
                  - {name: subs, exec: {vm: vm3, command: "ip -o link", expectOutput: "eth0\\\\.10@eth0\\\\s+eth0\\\\.20@eth0"}}
                """);
        FakeShell shell = new FakeShell((vm, cmd) -> ok("lo\neth0\neth0.10@eth0\neth0.20@eth0\n"));
        CheckResult r = new CheckRunner(lab, shell, 1).run(lab.checks(), x -> { }).get(0);
        assertThat(r.status()).isEqualTo(CheckResult.Status.PASS);
        assertThat(r.evidence()).isEqualTo("exit 0, output: /eth0\\.10@eth0\\s+eth0\\.20@eth0/ matched: eth0.10@eth0 | eth0.20@eth0");
    }

    private static GuestConsole.Result isolationScript(String vm, String cmd, String captured) {
        if (cmd.startsWith("ping")) {
            int got = vm.equals("vm3") ? 2 : 0;
            return ok("2 packets transmitted, " + got + " packets received, " + (got == 0 ? "100" : "0") + "% packet loss\n");
        }
        if (cmd.contains("killall tcpdump")) {
            return ok("sh: some noise\nTS-CAPTURE\n" + captured);
        }
        return ok("");
    }

    @Test
    void isolationProvesTheTargetAliveFromItsOwnVlanAndSeesNoFrames() throws Exception {
        LabFile lab = lab("  - {name: iso, isolation: {from: [vm1], to: [vm2]}}\n");
        FakeShell shell = new FakeShell((vm, cmd) -> isolationScript(vm, cmd, ""));
        CheckResult r = new CheckRunner(lab, shell, 2).run(lab.checks(), x -> { }).get(0);
        assertThat(r.status()).isEqualTo(CheckResult.Status.PASS);
        assertThat(r.vms()).containsExactlyInAnyOrder("vm1", "vm2", "vm3");
        assertThat(r.evidence()).isEqualTo("vm1 -> vm2 (198.18.20.12): 0/2 replies, 0 frames from vm1 seen on vm2; "
                + "vm2 alive (vm3 -> vm2 2/2)");
        assertThat(shell.log).anyMatch(l -> l.startsWith("start vm2 ") && l.contains("'ether src 52:54:00:00:00:01'"));
        assertThat(shell.log).anyMatch(l -> l.equals("start vm3 " + PingOutput.command("198.18.20.12", 2, null)));
    }

    @Test
    void isolationFailsOnAFrameEvenWithoutReplies() throws Exception {
        LabFile lab = lab("  - {name: iso, isolation: {from: [vm1], to: [vm2]}}\n");
        FakeShell shell = new FakeShell((vm, cmd) -> isolationScript(vm, cmd,
                "12:00:00.1 ARP, Request who-has 198.18.20.12 tell 198.18.10.11, length 28\n"));
        CheckResult r = new CheckRunner(lab, shell, 2).run(lab.checks(), x -> { }).get(0);
        assertThat(r.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(r.evidence()).contains("0/2 replies, 1 frames from vm1 seen on vm2 "
                + "(first: 12:00:00.1 ARP, Request who-has 198.18.20.12 tell 198.18.10.11, length 28)");
    }

    @Test
    void isolationFromADeadTargetIsAnErrorNotAPass() throws Exception {
        LabFile lab = lab("  - {name: iso, isolation: {from: [vm1], to: [vm2]}}\n");
        FakeShell shell = new FakeShell((vm, cmd) -> cmd.startsWith("ping")
                ? ok("2 packets transmitted, 0 packets received, 100% packet loss\n") : ok(""));
        CheckResult r = new CheckRunner(lab, shell, 2).run(lab.checks(), x -> { }).get(0);
        assertThat(r.status()).isEqualTo(CheckResult.Status.ERROR);
        assertThat(r.evidence()).isEqualTo("vm2 is not proven alive: vm3 on its segment got 0/2 received from it");
    }

    @Test
    void expectFailPassesOnlyWhenNothingComesBack() throws Exception {
        LabFile lab = lab("""
                  - {name: none, ping: {from: vm1, to: vm2, expect: fail, count: 2}}
                  - {name: some, ping: {from: vm3, to: vm1, expect: fail, count: 2}}
                """);
        FakeShell shell = new FakeShell((vm, cmd) -> ok("2 packets transmitted, " + (vm.equals("vm1") ? 0 : 1)
                + " packets received, 50% packet loss\n"));
        List<CheckResult> results = new CheckRunner(lab, shell, 2).run(lab.checks(), x -> { });
        assertThat(results).extracting(CheckResult::status).containsExactly(CheckResult.Status.PASS, CheckResult.Status.FAIL);
        assertThat(results.get(1).evidence()).isEqualTo("1/2 received from vm3 to vm1 (198.18.10.11) (expected none)");
    }

    @Test
    void aDfPingThatCannotFitTheMtuIsNotSent() throws Exception {
        LabFile lab = lab("  - {name: big, ping: {from: vm1, to: vm3, size: 1473, df: true}}\n");
        FakeShell shell = new FakeShell((vm, cmd) -> ok("dev eth0 mtu 1500\n"));
        CheckResult r = new CheckRunner(lab, shell, 1).run(lab.checks(), x -> { }).get(0);
        assertThat(r.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(r.evidence()).isEqualTo("0/3 sent to vm3 (198.18.10.13): size 1473 + 28 header bytes > MTU 1500 of eth0 with DF set");
        assertThat(shell.log).noneMatch(l -> l.startsWith("start vm1 ping"));
    }

    @Test
    void tcpComparesTheMd5OfWhatWasSentAndReceived() throws Exception {
        LabFile lab = lab("  - {name: bulk, tcp: {from: vm1, to: vm3, bytes: 1000000, minMbit: 1}}\n");
        String md5 = "0123456789abcdef0123456789abcdef";
        FakeShell shell = new FakeShell((vm, cmd) -> vm.equals("vm1")
                ? ok("TS-TCP rc=0 start=10.00 end=12.00\n" + md5 + "  /tmp/ts-tx\n")
                : ok(cmd.contains("cat /tmp/ts-rx") ? md5 + "  -\n" : ""));
        CheckResult r = new CheckRunner(lab, shell, 1).run(lab.checks(), x -> { }).get(0);
        assertThat(r.status()).as(r.evidence()).isEqualTo(CheckResult.Status.PASS);
        assertThat(r.evidence()).contains("1000000 bytes vm1 -> vm3").contains("in 2.00 s, 4.0 Mbit/s (min 1.0)")
                .contains("md5 sent 0123456789ab, received 0123456789ab");
    }
}
