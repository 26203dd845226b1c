package io.tapswitch.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code checks:} section of a lab file: its shape, its defaults and every rule, by field path. */
class LabCheckTest {
    private static final String LAB = """
            name: demo
            guest: {kernel: k}
            vms:
              - name: vm1
                nics: [{port: p1, mac: "52:54:00:00:00:01", ip: 198.18.10.11/16, vlan: 10}]
              - name: vm2
                nics: [{port: p2, mac: "52:54:00:00:00:02", ip: 198.18.20.12/16, vlan: 20}]
              - name: mon
                nics: [{port: p3, mac: "52:54:00:00:00:03"}]
            checks:
            """;

    private static LabFile parse(String checks) {
        return LabFile.parse(LAB + checks, Path.of("/labs"), "test.yaml");
    }

    private static List<String> problemsOf(String checks) {
        return LabProblems.of(LAB + checks, Path.of("/labs"), "test.yaml");
    }

    @Test
    void parsesEveryKindWithItsDefaults() {
        LabFile lab = parse("""
                  - name: vm1-reaches-vm2
                    ping: {from: vm1, to: vm2}
                  - name: big
                    ping: {from: vm1, to: "fd00::2", expect: fail, count: 10, size: 1472, df: true}
                  - name: bulk
                    tcp: {from: vm1, to: vm2, minMbit: 1.5}
                  - name: isolated
                    isolation: {from: [vm1], to: [vm2]}
                  - name: span
                    mirror: {monitor: mon, from: vm1, to: vm2}
                  - name: kernel
                    exec: {vm: vm1, command: "uname -r", expectOutput: "^6\\\\."}
                """);
        assertThat(lab.checks()).extracting(LabCheck::kind).containsExactly("ping", "ping", "tcp", "isolation", "mirror", "exec");
        LabCheck.Ping ping = lab.checks().get(0).ping();
        assertThat(ping.expectOk()).isTrue();
        assertThat(ping.effectiveCount()).isEqualTo(3);
        assertThat(ping.effectiveDf()).isFalse();
        LabCheck.Ping big = lab.checks().get(1).ping();
        assertThat(big.expectOk()).isFalse();
        assertThat(big.effectiveCount()).isEqualTo(10);
        assertThat(big.size()).isEqualTo(1472);
        assertThat(big.effectiveDf()).isTrue();
        assertThat(lab.checks().get(2).tcp().effectiveBytes()).isEqualTo(1048576);
        assertThat(lab.checks().get(2).tcp().minMbit()).isEqualTo(1.5);
        assertThat(lab.checks().get(3).isolation().to()).containsExactly("vm2");
        assertThat(lab.checks().get(4).mirror().effectiveCount()).isEqualTo(5);
        assertThat(lab.checks().get(5).exec().effectiveExpectExit()).isZero();
        assertThat(lab.checks().get(5).exec().expectOutput()).isEqualTo("^6\\.");
        assertThat(lab.checks().get(4).vms(lab)).containsExactly("mon", "vm1", "vm2");
        assertThat(lab.checks().get(1).vms(lab)).containsExactly("vm1");
    }

    @Test
    void aLabWithoutChecksHasAnEmptyList() {
        assertThat(LabFile.parse(LAB.replace("checks:\n", ""), Path.of("/labs"), "t.yaml").checks()).isEmpty();
    }

    @Test
    void namesTheFieldOfEveryBadNumber() {
        assertThat(problemsOf("""
                  - name: a
                    ping: {from: vm1, to: vm2, count: 0, size: 65508, expect: maybe}
                  - name: b
                    tcp: {from: vm1, to: vm2, bytes: 0, minMbit: 0}
                  - name: c
                    ping: {from: vm1, to: vm2, count: 1001}
                  - name: d
                    mirror: {monitor: mon, from: vm1, to: vm2, count: 0}
                """)).containsExactlyInAnyOrder(
                "checks[0].ping.count: must be between 1 and 1000 but was 0",
                "checks[0].ping.size: must be between 0 and 65507 but was 65508",
                "checks[0].ping.expect: must be ok or fail but was 'maybe'",
                "checks[1].tcp.bytes: must be between 1 and 1073741824 but was 0",
                "checks[1].tcp.minMbit: must be a number above 0 but was 0.0",
                "checks[2].ping.count: must be between 1 and 1000 but was 1001",
                "checks[3].mirror.count: must be between 1 and 1000 but was 0");
    }

    @Test
    void aCheckIsExactlyOneKind() {
        assertThat(problemsOf("""
                  - name: none
                  - name: two
                    ping: {from: vm1, to: vm2}
                    exec: {vm: vm1, command: "true"}
                """)).containsExactly(
                "checks[0]: needs exactly one of ping, tcp, isolation, mirror, exec",
                "checks[1]: has ping and exec; a check is exactly one kind");
    }

    @Test
    void rejectsUnknownVmsAndTargetsWithoutAnAddress() {
        assertThat(problemsOf("""
                  - name: a
                    ping: {from: vm9, to: nowhere}
                  - name: b
                    isolation: {from: [vm1, ghost], to: []}
                  - name: c
                    tcp: {from: vm1, to: mon}
                  - name: d
                    mirror: {monitor: vm1, from: vm1, to: vm2}
                  - name: e
                    exec: {vm: vm7, command: " ", expectOutput: "("}
                  - name: f
                    ping: {from: vm1, to: vm1}
                """)).containsExactlyInAnyOrder(
                "checks[0].ping.from: 'vm9' is not a VM of this lab",
                "checks[0].ping.to: 'nowhere' is neither a VM of this lab nor an IP address",
                "checks[1].isolation.from[1]: 'ghost' is not a VM of this lab",
                "checks[1].isolation.to: needs at least one VM",
                "checks[2].tcp.to: VM 'mon' has no IP address in the lab file to reach it at",
                "checks[3].mirror.monitor: must be a third VM, not one end of the flow it watches",
                "checks[4].exec.vm: 'vm7' is not a VM of this lab",
                "checks[4].exec.command: is required",
                "checks[4].exec.expectOutput: not a valid regular expression: Unclosed group",
                "checks[5].ping.to: must be another VM than from");
    }

    @Test
    void checkNamesAreUniqueAndSafe() {
        assertThat(problemsOf("""
                  - name: same
                    exec: {vm: vm1, command: "true"}
                  - name: same
                    exec: {vm: vm2, command: "true"}
                  - name: "no spaces"
                    exec: {vm: vm2, command: "true"}
                  - exec: {vm: vm2, command: "true"}
                """)).containsExactly(
                "checks[1].name: check 'same' is already defined at checks[0]",
                "checks[2].name: 'no spaces' may only contain letters, digits, '.', '_' and '-'",
                "checks[3].name: is required");
    }

    @Test
    void unknownFieldsOfAKindNameTheirPath() {
        assertThat(problemsOf("""
                  - name: a
                    ping: {from: vm1, to: vm2, ttl: 3}
                """)).singleElement().asString().startsWith("checks[0].ping.ttl: unknown field 'ttl'");
    }

    @Test
    void addressesAreLiteralsOnly() {
        assertThat(CheckValidator.isAddress("198.18.0.1")).isTrue();
        assertThat(CheckValidator.isAddress("fd00:7473::12")).isTrue();
        assertThat(CheckValidator.isAddress("198.18.0.256")).isFalse();
        assertThat(CheckValidator.isAddress("example.com")).isFalse();
        assertThat(CheckValidator.isAddress("198.18.0.1/24")).isFalse();
    }
}
