package io.tapswitch.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandTest {
    private static final ConsolePaths CONSOLE = ConsolePaths.in(Path.of("/run/tapswitch/vms/demo"), "vm1");

    private static final LabFile LAB = LabFile.parse("""
            name: demo
            guest:
              kernel: /k/vmlinuz
              initrd: /k/initramfs.cpio.gz
              append: quiet
            vms:
              - name: vm1
                memory: 300
                vcpus: 2
                run: echo 'hello world' | md5sum
                nics:
                  - port: ts-vm1-0
                    mac: "52:54:00:AB:CD:11"
                    ip: 198.18.0.11/24
                    ip6: fd00:7473::11/64
                    vlans:
                      - id: 10
                        ip: 198.18.10.11/24
                      - id: 20
                        ip6: fd00:7473:20::11/64
                    qinq:
                      - outer: 100
                        inner: 30
                        ip: 198.18.100.11/24
                      - outer: 200
                  - port: ts-vm1-1
                    mac: "52:54:00:ab:cd:12"
                    ip: 198.18.1.11/24
              - name: disky
                disk: /images/disk.qcow2
            """, Path.of("/"), "test");

    private static List<String> build(String vm, Accel accel) {
        return QemuCommand.build("qemu-system-x86_64", LAB.guest(), LAB.vm(vm), accel, CONSOLE);
    }

    private static String valueOf(List<String> args, String option) {
        int i = args.indexOf(option);
        assertThat(i).as(option).isNotNegative();
        return args.get(i + 1);
    }

    @Test
    void buildsTheBasicMachine() {
        List<String> args = build("vm1", Accel.TCG);

        assertThat(args.get(0)).isEqualTo("qemu-system-x86_64");
        assertThat(valueOf(args, "-name")).isEqualTo("vm1");
        assertThat(valueOf(args, "-machine")).isEqualTo("q35");
        assertThat(valueOf(args, "-accel")).isEqualTo("tcg");
        assertThat(valueOf(args, "-m")).isEqualTo("300");
        assertThat(valueOf(args, "-smp")).isEqualTo("2");
        assertThat(valueOf(args, "-kernel")).isEqualTo("/k/vmlinuz");
        assertThat(valueOf(args, "-initrd")).isEqualTo("/k/initramfs.cpio.gz");
        assertThat(args).contains("-nodefaults", "-nographic", "-no-reboot").doesNotContain("-cpu");
    }

    @Test
    void kvmUsesTheHostCpu() {
        List<String> args = build("vm1", Accel.KVM);

        assertThat(valueOf(args, "-accel")).isEqualTo("kvm");
        assertThat(valueOf(args, "-cpu")).isEqualTo("host");
    }

    @Test
    void autoMustBeResolvedFirst() {
        assertThatThrownBy(() -> build("vm1", Accel.AUTO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachNicIsATapNetdevWithAVirtioDevice() {
        List<String> args = build("vm1", Accel.TCG);

        assertThat(args).containsSubsequence(
                "-netdev", "tap,id=n0,ifname=ts-vm1-0,script=no,downscript=no",
                "-device", "virtio-net-pci,id=nic0,netdev=n0,mac=52:54:00:ab:cd:11,romfile=",
                "-netdev", "tap,id=n1,ifname=ts-vm1-1,script=no,downscript=no",
                "-device", "virtio-net-pci,id=nic1,netdev=n1,mac=52:54:00:ab:cd:12,romfile=");
        assertThat(String.join(" ", args)).doesNotContain("vhost");
    }

    @Test
    void theConsoleIsASocketThatAlsoLogs() {
        List<String> args = build("vm1", Accel.TCG);

        assertThat(valueOf(args, "-chardev")).isEqualTo("socket,id=console,path=/run/tapswitch/vms/demo/vm1.sock"
                + ",server=on,wait=off,logfile=/run/tapswitch/vms/demo/vm1.log,logappend=on");
        assertThat(valueOf(args, "-serial")).isEqualTo("chardev:console");
        assertThat(valueOf(args, "-monitor")).isEqualTo("none");
        assertThat(valueOf(args, "-qmp")).as("machine protocol for stop and link control, never the human monitor")
                .isEqualTo("unix:/run/tapswitch/vms/demo/vm1.qmp,server=on,wait=off");
    }

    @Test
    void theKernelCommandLineCarriesTheGuestNetworkSettings() {
        String append = valueOf(build("vm1", Accel.TCG), "-append");

        assertThat(append.split(" ")).startsWith("console=ttyS0", "panic=-1", "quiet").contains(
                "ts.hostname=vm1",
                "ts.ip=198.18.0.11/24",
                "ts.ip6=fd00:7473::11/64",
                "ts.vlans=10,20",
                "ts.ip.10=198.18.10.11/24",
                "ts.ip6.20=fd00:7473:20::11/64",
                "ts.qinq=100:30,200",
                "ts.ip.100.30=198.18.100.11/24",
                "ts.eth1.ip=198.18.1.11/24");
        String run = java.util.Arrays.stream(append.split(" ")).filter(w -> w.startsWith("ts.run="))
                .findFirst().orElseThrow().substring("ts.run=".length());
        assertThat(new String(Base64.getDecoder().decode(run), StandardCharsets.UTF_8))
                .isEqualTo("echo 'hello world' | md5sum");
    }

    @Test
    void aVmWithItsOwnDiskBootsItInSnapshotModeInsteadOfTheDefaultKernel() {
        List<String> args = build("disky", Accel.TCG);

        assertThat(valueOf(args, "-drive")).isEqualTo("file=/images/disk.qcow2,if=virtio,format=qcow2,snapshot=on");
        assertThat(args).doesNotContain("-kernel", "-initrd", "-append");
    }

    @Test
    void rejectsACommandLineTheKernelWouldTruncate() {
        LabFile.Vm vm = LAB.vm("vm1");
        LabFile.Vm huge = new LabFile.Vm(vm.name(), vm.kernel(), vm.initrd(), vm.disk(), vm.memory(), vm.vcpus(),
                "x".repeat(2000), vm.append(), vm.nics(), vm.host());

        assertThatThrownBy(() -> QemuCommand.build("q", LAB.guest(), huge, Accel.TCG, CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than 2047 bytes");
    }
}
