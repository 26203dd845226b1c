package io.tapswitch.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabFileTest {
    private static final Path BASE = Path.of("/labs/demo");

    private static final String VALID = """
            name: demo
            guest:
              kernel: guest/out/vmlinuz
              initrd: guest/out/initramfs.cpio.gz
              memory: 192
              accel: tcg
            vms:
              - name: vm1
                run: echo hi
                nics:
                  - port: ts-vm1-0
                    mac: "52:54:00:74:73:11"
                    ip: 198.18.0.11/24
                    ip6: fd00:7473::11/64
                    trunk: [10, 20]
                    vlans:
                      - id: 10
                        ip: 198.18.10.11/24
                    qinq:
                      - outer: 100
                        inner: 10
                        ip: 198.18.100.11/24
              - name: vm2
                vcpus: 2
                kernel: /boot/other-kernel
                nics:
                  - port: ts-vm2-0
                    mac: "52:54:00:74:73:12"
                    vlan: 10
            mirrors:
              - name: span
                sources: [ts-vm1-0]
                output: ts-vm2-0
            """;

    private static LabFile parse(String yaml) {
        return LabFile.parse(yaml, BASE, "test.yaml");
    }

    private static List<String> problemsOf(String yaml) {
        return LabProblems.of(yaml, BASE, "test.yaml");
    }

    @Test
    void parsesAValidLabAndAppliesGuestDefaults() {
        LabFile lab = parse(VALID);

        assertThat(lab.name()).isEqualTo("demo");
        assertThat(lab.guest().effectiveAccel()).isEqualTo(Accel.TCG);
        assertThat(lab.guest().effectiveMachine()).isEqualTo("q35");
        LabFile.Vm vm1 = lab.vm("vm1");
        assertThat(vm1.memory()).isEqualTo(192);
        assertThat(vm1.vcpus()).isEqualTo(LabFile.DEFAULT_VCPUS);
        assertThat(vm1.kernel()).isEqualTo("/labs/demo/guest/out/vmlinuz");
        assertThat(vm1.initrd()).isEqualTo("/labs/demo/guest/out/initramfs.cpio.gz");
        assertThat(vm1.nics().get(0).trunk()).containsExactly(10, 20);
        assertThat(vm1.nics().get(0).qinq().get(0).inner()).isEqualTo(10);
        LabFile.Vm vm2 = lab.vm("vm2");
        assertThat(vm2.vcpus()).isEqualTo(2);
        assertThat(vm2.kernel()).isEqualTo("/boot/other-kernel");
        assertThat(vm2.nics().get(0).vlan()).isEqualTo(10);
        assertThat(lab.ports()).containsExactly("ts-vm1-0", "ts-vm2-0");
        assertThat(lab.mirrors().get(0).effectiveDirection()).isEqualTo("both");
    }

    @Test
    void defaultsMemoryAndAccelWhenNothingIsGiven() {
        LabFile lab = parse("""
                name: tiny
                vms:
                  - name: a
                    disk: images/a.qcow2
                """);

        assertThat(lab.guest().effectiveAccel()).isEqualTo(Accel.AUTO);
        assertThat(lab.vm("a").memory()).isEqualTo(LabFile.DEFAULT_MEMORY_MIB);
        assertThat(lab.vm("a").disk()).isEqualTo("/labs/demo/images/a.qcow2");
    }

    @Test
    void resolvesRelativePathsAgainstTheLabFileDirectory(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("lab.yaml"), VALID);

        LabFile lab = LabFile.load(file);

        assertThat(lab.vm("vm1").kernel()).isEqualTo(dir.resolve("guest/out/vmlinuz").toString());
    }

    @Test
    void theShippedLabsAreValid() {
        Path configs = Path.of("..", "vm-configs");
        for (String name : List.of("two-vms.yaml", "three-vms-two-vlans.yaml", "monitor.yaml", "fabric-a.yaml", "fabric-b.yaml")) {
            Path file = configs.resolve(name);
            if (Files.exists(file)) {
                assertThat(LabFile.load(file).vms()).as(name).isNotEmpty();
            }
        }
    }

    @Test
    void readsTheGuestsUserAndRejectsAnythingButAUserName() {
        assertThat(parse(VALID).user()).isNull();
        assertThat(parse(VALID.replace("name: demo\n", "name: demo\nuser: alice\n")).user()).isEqualTo("alice");
        assertThat(problemsOf(VALID.replace("name: demo\n", "name: demo\nuser: \"alice;id\"\n")))
                .anyMatch(p -> p.startsWith("user: must be a user name"));
    }

    @Test
    void readsTheHostAVmRunsOnAndRejectsAnythingButAnAgentName() {
        assertThat(parse(VALID).vm("vm1").host()).isNull();
        assertThat(parse(VALID.replace("  - name: vm2\n", "  - name: vm2\n    host: b\n")).vm("vm2").host()).isEqualTo("b");
        assertThat(problemsOf(VALID.replace("  - name: vm2\n", "  - name: vm2\n    host: \"b c\"\n")))
                .anyMatch(p -> p.startsWith("vms[1].host: 'b c' may only contain"));
    }

    @Test
    void namesTheFieldOfAnOverlongPort() {
        String yaml = VALID.replace("port: ts-vm2-0", "port: a-very-long-port-name");

        assertThat(problemsOf(yaml))
                .contains("vms[1].nics[0].port: interface name longer than 15 characters: 'a-very-long-port-name'");
    }

    @Test
    void rejectsUnsafeNames() {
        assertThat(problemsOf(VALID.replace("name: vm1", "name: \"vm 1\"")))
                .anyMatch(p -> p.startsWith("vms[0].name: 'vm 1' may only contain"));
        assertThat(problemsOf(VALID.replace("port: ts-vm1-0", "port: \"ts/x\"")))
                .anyMatch(p -> p.startsWith("vms[0].nics[0].port: 'ts/x' may only contain"));
        assertThat(problemsOf(VALID.replace("name: demo", "name: \"demo;rm\"")))
                .anyMatch(p -> p.startsWith("name: 'demo;rm'"));
        assertThat(problemsOf(VALID.replace("name: vm2", "name: \"$(id)\"")))
                .anyMatch(p -> p.startsWith("vms[1].name:"));
    }

    @Test
    void rejectsMalformedAndMulticastMacs() {
        assertThat(problemsOf(VALID.replace("52:54:00:74:73:12", "52-54-00-74-73-12")))
                .anyMatch(p -> p.startsWith("vms[1].nics[0].mac: must look like"));
        assertThat(problemsOf(VALID.replace("52:54:00:74:73:12", "01:00:5e:00:00:01")))
                .anyMatch(p -> p.startsWith("vms[1].nics[0].mac: is a multicast address"));
    }

    @Test
    void rejectsDuplicateNamesPortsAndMacs() {
        String yaml = VALID.replace("name: vm2", "name: vm1")
                .replace("port: ts-vm2-0", "port: ts-vm1-0")
                .replace("52:54:00:74:73:12", "52:54:00:74:73:11");

        assertThat(problemsOf(yaml)).contains(
                "vms[1].name: VM name 'vm1' is already used at vms[0].name",
                "vms[1].nics[0].port: port 'ts-vm1-0' is already used at vms[0].nics[0].port",
                "vms[1].nics[0].mac: MAC '52:54:00:74:73:11' is already used at vms[0].nics[0].mac");
    }

    @Test
    void macsAreComparedCaseInsensitively() {
        String yaml = VALID.replace("52:54:00:74:73:11", "52:54:00:AA:73:11")
                .replace("52:54:00:74:73:12", "52:54:00:aa:73:11");

        assertThat(problemsOf(yaml)).anyMatch(p -> p.startsWith("vms[1].nics[0].mac: MAC"));
    }

    @Test
    void rejectsBadAddresses() {
        assertThat(problemsOf(VALID.replace("198.18.0.11/24", "198.18.0.311/24")))
                .anyMatch(p -> p.startsWith("vms[0].nics[0].ip: must be an IPv4 address"));
        assertThat(problemsOf(VALID.replace("198.18.0.11/24", "198.18.0.11")))
                .anyMatch(p -> p.startsWith("vms[0].nics[0].ip:"));
        assertThat(problemsOf(VALID.replace("fd00:7473::11/64", "fd00:::11/64")))
                .anyMatch(p -> p.startsWith("vms[0].nics[0].ip6: must be an IPv6 address"));
        assertThat(problemsOf(VALID.replace("fd00:7473::11/64", "fd00:7473::11/129")))
                .anyMatch(p -> p.startsWith("vms[0].nics[0].ip6:"));
    }

    @Test
    void checksVlanRules() {
        assertThat(problemsOf(VALID.replace("trunk: [10, 20]", "trunk: [10, 4095]")))
                .contains("vms[0].nics[0].trunk[1]: VLAN id must be between 1 and 4094 but was 4095");
        assertThat(problemsOf(VALID.replace("vlan: 10", "vlan: 10\n        trunk: [20]")))
                .contains("vms[1].nics[0]: a port is either an access port (vlan) or a trunk (trunk), not both");
        assertThat(problemsOf(VALID.replace("outer: 100", "outer: 10")))
                .contains("vms[0].nics[0].qinq[0].outer: clashes with the 802.1Q subinterface of the same id");
    }

    @Test
    void unknownFieldsAreErrorsThatNameTheirPath() {
        assertThatThrownBy(() -> parse(VALID.replace("vlan: 10", "vlan: 10\n        speed: 1000")))
                .isInstanceOf(InvalidLabException.class)
                .hasMessageContaining("vms[1].nics[0].speed: unknown field 'speed'");
    }

    @Test
    void rejectsUnknownAccel() {
        assertThatThrownBy(() -> parse(VALID.replace("accel: tcg", "accel: hvf")))
                .isInstanceOf(InvalidLabException.class)
                .hasMessageContaining("guest.accel");
    }

    @Test
    void mirrorsMustReferToPortsOfTheLab() {
        assertThat(problemsOf(VALID.replace("output: ts-vm2-0", "output: ts-nowhere")))
                .contains("mirrors[0].output: 'ts-nowhere' is not a port of this lab");
        assertThat(problemsOf(VALID.replace("output: ts-vm2-0", "output: ts-vm1-0")))
                .contains("mirrors[0].sources[0]: the output port cannot also be a source");
    }

    @Test
    void aVmNeedsSomethingToBoot() {
        assertThat(problemsOf("""
                name: x
                vms:
                  - name: a
                """)).contains("vms[0]: needs a kernel (with an optional initrd) or a disk image, here or in guest");
        assertThat(problemsOf("name: x\n")).contains("vms: a lab needs at least one VM");
    }
}
