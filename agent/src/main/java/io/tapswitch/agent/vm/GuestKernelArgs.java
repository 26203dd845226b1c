package io.tapswitch.agent.vm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a VM's network settings into the {@code ts.*} kernel command line
 * parameters read by the tapswitch guest's {@code /init}
 * ({@code vm-configs/guest/init}).
 *
 * <p>Configuring the guest through the command line keeps one initramfs for
 * every VM of every lab: nothing is baked into the image per guest. The
 * {@code run} command is base64 encoded because the kernel splits its command
 * line at spaces and has no general escaping.
 */
public final class GuestKernelArgs {
    /** The x86 kernel truncates its command line beyond this many bytes. */
    public static final int MAX_LENGTH = 2047;

    private GuestKernelArgs() {
    }

    /** The full {@code -append} value for {@code vm}: console, lab defaults, ts.* words, VM extras. */
    public static String of(LabFile.Guest guest, LabFile.Vm vm) {
        List<String> words = new ArrayList<>();
        words.add("console=ttyS0");
        words.add("panic=-1");
        if (guest.append() != null && !guest.append().isBlank()) {
            words.add(guest.append().strip());
        }
        words.add("ts.hostname=" + vm.name());
        for (int i = 0; i < vm.nics().size(); i++) {
            words.addAll(nicWords(i == 0 ? "ts." : "ts.eth" + i + ".", vm.nics().get(i)));
        }
        if (vm.run() != null) {
            words.add("ts.run=" + Base64.getEncoder().encodeToString(vm.run().getBytes(StandardCharsets.UTF_8)));
        }
        if (vm.append() != null && !vm.append().isBlank()) {
            words.add(vm.append().strip());
        }
        String line = String.join(" ", words);
        if (line.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new IllegalArgumentException("VM " + vm.name() + ": kernel command line is longer than "
                    + MAX_LENGTH + " bytes; shorten its run command or move it into the image");
        }
        return line;
    }

    private static List<String> nicWords(String prefix, LabFile.Nic nic) {
        List<String> words = new ArrayList<>();
        add(words, prefix + "ip", nic.ip());
        add(words, prefix + "ip6", nic.ip6());
        if (!nic.vlans().isEmpty()) {
            words.add(prefix + "vlans=" + nic.vlans().stream().map(v -> v.id().toString())
                    .collect(Collectors.joining(",")));
            for (LabFile.GuestVlan v : nic.vlans()) {
                add(words, prefix + "ip." + v.id(), v.ip());
                add(words, prefix + "ip6." + v.id(), v.ip6());
            }
        }
        if (!nic.qinq().isEmpty()) {
            words.add(prefix + "qinq=" + nic.qinq().stream()
                    .map(q -> q.inner() == null ? q.outer().toString() : q.outer() + ":" + q.inner())
                    .collect(Collectors.joining(",")));
            for (LabFile.GuestQinq q : nic.qinq()) {
                String suffix = q.inner() == null ? "." + q.outer() : "." + q.outer() + "." + q.inner();
                add(words, prefix + "ip" + suffix, q.ip());
                add(words, prefix + "ip6" + suffix, q.ip6());
            }
        }
        return words;
    }

    private static void add(List<String> words, String key, String value) {
        if (value != null) {
            words.add(key + "=" + value);
        }
    }
}
