package io.tapswitch.agent.demo;

import io.tapswitch.agent.vm.GuestUser;
import io.tapswitch.agent.vm.LabFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The demo's lab file, and the guest kernel and initramfs it names, where the guests can read them.
 *
 * <p>The demo runs as root, but its guests run as an unprivileged user (see {@link GuestUser}), and
 * a checkout in root's home, which the README's "as root, from a clone" invites, is out of that
 * user's reach: {@code /root} is not searchable by others, and QEMU stops with "could not open
 * kernel file: Permission denied". Rather than loosen the permissions of someone's home, the lab
 * file and the guest files are then copied, in the same layout, into a directory of the agent's
 * own that every user may search, and removed again when the demo ends. Where the guests can read
 * the checkout, nothing is copied.
 */
final class GuestStage implements AutoCloseable {
    private final Path file;
    private final Path staged;

    private GuestStage(Path file, Path staged) {
        this.file = file;
        this.staged = staged;
    }

    /**
     * The lab file {@code labFile} (already loaded as {@code lab}) as {@code user} can use it: itself,
     * or its copy under {@code stageDir} when {@code user} cannot read one of its kernels or initrds.
     */
    static GuestStage of(Path labFile, LabFile lab, GuestUser user, Path stageDir) throws IOException {
        Set<Path> files = new LinkedHashSet<>();
        for (LabFile.Vm vm : lab.vms()) {
            for (String f : new String[] {vm.kernel(), vm.initrd()}) {
                if (f != null) {
                    files.add(Path.of(f));
                }
            }
        }
        if (!user.switchUser() || files.stream().allMatch(f -> reaches(user, f))) {
            return new GuestStage(labFile, null);
        }
        Path base = labFile.toAbsolutePath().normalize().getParent();
        List<Path> relative = new ArrayList<>();
        for (Path f : files) {
            Path rel = base.relativize(f.toAbsolutePath().normalize());
            if (rel.startsWith("..")) {
                throw new IllegalStateException("guests run as '" + user.name() + "' and cannot read " + f
                        + ", which lies outside " + base + " and so cannot be copied with the lab file");
            }
            relative.add(rel);
        }
        deleteTree(stageDir);
        GuestStage stage = new GuestStage(stageDir.resolve(labFile.getFileName()), stageDir);
        try {
            copy(labFile, stage.file, stageDir);
            for (Path rel : relative) {
                copy(base.resolve(rel), stageDir.resolve(rel), stageDir);
            }
            for (Path rel : relative) {
                if (!reaches(user, stageDir.resolve(rel))) {
                    throw new IllegalStateException("guests run as '" + user.name() + "' and cannot read "
                            + stageDir.resolve(rel) + " either: a directory above it is not searchable by others");
                }
            }
            return stage;
        } catch (IOException | RuntimeException e) {
            stage.close();
            throw e;
        }
    }

    /** The lab file to bring up. */
    Path file() {
        return file;
    }

    /** Where the files were copied to, or null when the guests read them where they are. */
    Path staged() {
        return staged;
    }

    @Override
    public void close() throws IOException {
        if (staged != null) {
            deleteTree(staged);
        }
    }

    /**
     * Whether {@code user} may read {@code file}, by the permission bits of the file and of every
     * directory above it (the owner's, the group's or the others', whichever apply to the user's uid
     * and primary group). Supplementary groups and ACLs are not looked at: a file that only they
     * open is copied needlessly, never missed.
     */
    static boolean reaches(GuestUser user, Path file) {
        Path f = file.toAbsolutePath().normalize();
        try {
            for (Path dir = f.getParent(); dir != null; dir = dir.getParent()) {
                if (!allows(user, dir, 1)) {
                    return false;
                }
            }
            return allows(user, f, 4);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean allows(GuestUser user, Path p, int bit) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        int shift = (Integer) Files.getAttribute(p, "unix:uid") == user.uid() ? 6
                : (Integer) Files.getAttribute(p, "unix:gid") == user.gid() ? 3 : 0;
        return (mode >> shift & bit) != 0;
    }

    /** Copies {@code from} to {@code to}, readable by all, with the directories up to {@code root} searchable by all. */
    private static void copy(Path from, Path to, Path root) throws IOException {
        for (Path dir = to.getParent(); dir != null && dir.startsWith(root); dir = dir.getParent()) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
