package io.tapswitch.agent.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the QEMU argument list for one VM of a lab.
 *
 * <p>The result is an argument vector for {@link ProcessBuilder}, never a
 * shell string, so names and paths cannot be reinterpreted by a shell. The
 * command line is deliberately explicit: {@code -nodefaults} keeps QEMU from
 * adding a user-mode NIC or other devices we did not ask for, the NIC option
 * ROM is disabled because the guest boots its kernel directly and iPXE only
 * costs boot time, and vhost stays off because this host has no vhost-net.
 * A QMP socket next to the console lets the agent power the guest down and
 * take a NIC's link down as the guest sees it, without a human monitor.
 * Offloads are left at QEMU's defaults so the switch sees what real guests send.
 */
public final class QemuCommand {
    /** The QEMU binary used unless a caller names another one. */
    public static final String DEFAULT_BINARY = "qemu-system-x86_64";

    private QemuCommand() {
    }

    /**
     * The arguments, binary first.
     *
     * @param binary  QEMU executable
     * @param guest   resolved lab defaults (machine type, kernel arguments)
     * @param vm      resolved VM
     * @param accel   the concrete accelerator, never {@link Accel#AUTO}
     * @param console where the serial console socket and log go
     */
    public static List<String> build(String binary, LabFile.Guest guest, LabFile.Vm vm, Accel accel,
                                     ConsolePaths console) {
        if (accel == Accel.AUTO) {
            throw new IllegalArgumentException("resolve Accel.AUTO with AccelProbe before building the command");
        }
        List<String> args = new ArrayList<>();
        args.add(binary);
        args.addAll(List.of("-name", vm.name()));
        args.addAll(List.of("-machine", guest.effectiveMachine()));
        args.addAll(List.of("-accel", accel.id()));
        if (accel == Accel.KVM) {
            args.addAll(List.of("-cpu", "host"));
        }
        args.addAll(List.of("-m", Integer.toString(vm.memory())));
        args.addAll(List.of("-smp", Integer.toString(vm.vcpus())));
        args.addAll(List.of("-nodefaults", "-nographic", "-no-reboot"));
        if (vm.kernel() != null) {
            args.addAll(List.of("-kernel", vm.kernel()));
            if (vm.initrd() != null) {
                args.addAll(List.of("-initrd", vm.initrd()));
            }
            args.addAll(List.of("-append", GuestKernelArgs.of(guest, vm)));
        }
        if (vm.disk() != null) {
            args.addAll(List.of("-drive", "file=" + vm.disk() + ",if=virtio,format=" + diskFormat(vm.disk())
                    + ",snapshot=on"));
        }
        for (int i = 0; i < vm.nics().size(); i++) {
            LabFile.Nic nic = vm.nics().get(i);
            args.addAll(List.of("-netdev", "tap,id=n" + i + ",ifname=" + nic.port() + ",script=no,downscript=no"));
            args.addAll(List.of("-device", "virtio-net-pci,id=" + nicId(i) + ",netdev=n" + i + ",mac=" + nic.mac().toLowerCase(Locale.ROOT)
                    + ",romfile="));
        }
        args.addAll(List.of("-chardev", "socket,id=console,path=" + console.socket()
                + ",server=on,wait=off,logfile=" + console.log() + ",logappend=on"));
        args.addAll(List.of("-serial", "chardev:console"));
        args.addAll(List.of("-monitor", "none"));
        args.addAll(List.of("-qmp", "unix:" + console.qmp() + ",server=on,wait=off"));
        return args;
    }

    /**
     * The QEMU device id of the VM's NIC number {@code index} (eth{@code index} in the guest), which
     * QMP's {@code set_link} takes to make the guest see carrier loss.
     */
    public static String nicId(int index) {
        return "nic" + index;
    }

    private static String diskFormat(String path) {
        return path.endsWith(".qcow2") ? "qcow2" : "raw";
    }
}
