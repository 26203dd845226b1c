package io.tapswitch.agent.demo;

import io.tapswitch.agent.vm.GuestUser;
import io.tapswitch.agent.vm.LabFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's guests, running as an unprivileged user, get their kernel and initramfs from a place
 * they can read: a checkout in a home directory others cannot search (root's, the README's "as
 * root, from a clone") is copied out, one they can read is used as it is.
 */
class GuestStageTest {
    /** Who the demo's guests run as: nobody, owner of none of the files here. */
    private static final GuestUser NOBODY = new GuestUser("nobody", 65534, 65534, true);
    private static final String LAB = """
            name: stage-test
            guest:
              kernel: guest/out/vmlinuz
              initrd: guest/out/initramfs.cpio.gz
            vms:
              - name: vm1
                nics:
                  - port: tsst-vm1-0
                    mac: "52:54:00:74:73:31"
                    ip: 198.18.0.31/24
            """;

    @TempDir
    Path tmp;

    /** JUnit makes its directory for the owner alone; the tests' own directories decide here. */
    @BeforeEach
    void searchableTmp() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A checkout at {@code tmp/home/repo} whose {@code home} has {@code homeMode}, with a lab and its guest files. */
    private Path checkout(String homeMode) throws IOException {
        Path home = Files.createDirectory(tmp.resolve("home"));
        Path vmConfigs = Files.createDirectories(home.resolve("repo/vm-configs"));
        Path out = Files.createDirectories(vmConfigs.resolve("guest/out"));
        Files.writeString(out.resolve("vmlinuz"), "kernel");
        Files.writeString(out.resolve("initramfs.cpio.gz"), "initramfs");
        Path lab = Files.writeString(vmConfigs.resolve("two-vms.yaml"), LAB);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString(homeMode));
        return lab;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aCheckoutInAHomeOthersCannotSearchIsCopiedWhereTheGuestsCanReadIt() throws Exception {
        Path lab = checkout("rwx------");
        LabFile loaded = LabFile.load(lab);
        assertThat(GuestStage.reaches(NOBODY, Path.of(loaded.vms().get(0).kernel()))).isFalse();
        Path stageDir = tmp.resolve("run/demo-guest");
        GuestStage stage = GuestStage.of(lab, loaded, NOBODY, stageDir);
        try (stage) {
            assertThat(stage.staged()).isEqualTo(stageDir);
            assertThat(stage.file()).isEqualTo(stageDir.resolve("two-vms.yaml"));
            LabFile staged = LabFile.load(stage.file());
            assertThat(staged.vms().get(0).kernel()).isEqualTo(stageDir.resolve("guest/out/vmlinuz").toString());
            assertThat(Files.readString(Path.of(staged.vms().get(0).initrd()))).isEqualTo("initramfs");
            assertThat(GuestStage.reaches(NOBODY, Path.of(staged.vms().get(0).kernel()))).isTrue();
            assertThat(mode(stageDir.resolve("guest/out"))).isEqualTo("rwxr-xr-x");
            assertThat(mode(stageDir.resolve("guest/out/vmlinuz"))).isEqualTo("rw-r--r--");
        }
        assertThat(stageDir).doesNotExist();
    }

    @Test
    void aCheckoutTheGuestsCanReadIsUsedWhereItIs() throws Exception {
        Path lab = checkout("rwxr-xr-x");
        Path stageDir = tmp.resolve("run/demo-guest");
        try (GuestStage stage = GuestStage.of(lab, LabFile.load(lab), NOBODY, stageDir)) {
            assertThat(stage.staged()).isNull();
            assertThat(stage.file()).isEqualTo(lab);
        }
        assertThat(stageDir).doesNotExist();
    }

    @Test
    void readingNeedsEveryDirectoryAboveSearchableAndTheFileReadableByTheBitsThatApply() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Path file = Files.writeString(dir.resolve("f"), "x");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(GuestStage.reaches(NOBODY, file)).as("others may not read").isFalse();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(GuestStage.reaches(NOBODY, file)).isTrue();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr--"));
        assertThat(GuestStage.reaches(NOBODY, file)).as("others may list but not enter").isFalse();
        // the owner's bits apply to the owner: root's file in root's 0700 directory, for root
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        int uid = (Integer) Files.getAttribute(dir, "unix:uid");
        int gid = (Integer) Files.getAttribute(dir, "unix:gid");
        assertThat(GuestStage.reaches(new GuestUser("owner", uid, gid, true), file)).isTrue();
        assertThat(GuestStage.reaches(NOBODY, tmp.resolve("d/missing"))).isFalse();
    }
}
