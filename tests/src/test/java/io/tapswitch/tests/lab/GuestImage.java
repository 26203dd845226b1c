package io.tapswitch.tests.lab;

import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test guest that the VM and fabric tests boot: the host's Debian kernel and a busybox
 * initramfs, made by {@code vm-configs/guest/build-guest.sh}. The script keeps its output and
 * rebuilds it only when an input changed, so every test class calls {@link #build()} before it
 * boots a guest instead of relying on an earlier class having done it.
 */
public final class GuestImage {
    /** The project's root, seen from the {@code tests} module where the tests run. */
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path OUT = ROOT.resolve("vm-configs/guest/out");

    private GuestImage() {
    }

    /** Builds the guest when its inputs changed (a few seconds, Debian packages only); fails the test if it cannot. */
    public static void build() {
        CommandResult build = HostCommand.run(List.of(ROOT.resolve("vm-configs/guest/build-guest.sh").toString()));
        assertThat(build.exitCode()).as("guest build: %s", build.output()).isZero();
    }

    /** The directory the build writes the kernel and initramfs to; lab files name it {@code guest/out}. */
    public static Path output() {
        return OUT;
    }

    /** The guest's kernel, for a lab file's {@code guest.kernel}. */
    public static Path kernel() {
        return OUT.resolve("vmlinuz");
    }

    /** The guest's initramfs, for a lab file's {@code guest.initrd}. */
    public static Path initrd() {
        return OUT.resolve("initramfs.cpio.gz");
    }
}
