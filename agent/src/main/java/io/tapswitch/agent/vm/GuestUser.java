package io.tapswitch.agent.vm;

import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The user a lab's QEMU processes run as, who also owns the lab's TAPs ({@code TUNSETOWNER}), so
 * that QEMU can attach to a TAP the agent created without any capability of its own.
 *
 * <p>A guest is untrusted code behind an emulator, so QEMU never runs with the agent's privileges.
 * An agent running as root starts it as the lab's {@code user} ({@value #DEFAULT_USER} when the lab
 * names none); an agent running as an unprivileged user (the packaged service's {@code tapswitch})
 * cannot change user, so QEMU runs as that same user, and a lab naming another user is refused.
 * Either way QEMU is started through {@code setpriv} with no capabilities at all: the inheritable
 * and ambient sets are cleared (the service's ambient {@code CAP_NET_ADMIN} and {@code CAP_NET_RAW}
 * would otherwise pass to it) and {@code no_new_privs} is set.
 *
 * @param name       the user's name
 * @param uid        its uid
 * @param gid        its primary gid
 * @param switchUser whether QEMU must change to this user (the agent is root)
 */
public record GuestUser(String name, int uid, int gid, boolean switchUser) {
    /** Whom an agent running as root starts a lab's guests as when the lab names nobody. */
    public static final String DEFAULT_USER = "nobody";

    /**
     * The user the guests of a lab that asks for {@code labUser} (null: none) run as, given who
     * this agent runs as.
     *
     * @throws IllegalArgumentException when the user does not exist, or the agent cannot become it
     */
    public static GuestUser forLab(String labUser) {
        int self = agentUid();
        if (self == 0) {
            String name = labUser == null ? DEFAULT_USER : labUser;
            int[] ids = lookup(name);
            if (ids[0] == 0) {
                throw new IllegalArgumentException("user '" + name + "' is root, and guests never run as root");
            }
            return new GuestUser(name, ids[0], ids[1], true);
        }
        String selfName = nameOf(self);
        if (labUser != null && !labUser.equals(selfName)) {
            throw new IllegalArgumentException("the agent runs as '" + selfName + "' and can start guests only as"
                    + " itself, not as '" + labUser + "' (an agent running as root can)");
        }
        int[] ids = lookup(selfName);
        return new GuestUser(selfName, self, ids[1], false);
    }

    /** {@code argv} wrapped so that it runs as this user with no capabilities and no way to gain any. */
    public List<String> launch(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("setpriv"));
        if (switchUser) {
            full.addAll(List.of("--reuid=" + uid, "--regid=" + gid, "--init-groups", "--bounding-set=-all"));
        }
        full.addAll(List.of("--inh-caps=-all", "--ambient-caps=-all", "--no-new-privs", "--"));
        full.addAll(argv);
        return full;
    }

    /**
     * Hands {@code dir} to this user when QEMU runs as someone else than the agent: it writes its
     * logs and sockets there. The directories above it must let that user through: those inside the
     * agent's own {@code agentDirectory} are made searchable (never listable) by others, and one
     * further up that is not is reported rather than changed.
     */
    public void own(Path dir, Path agentDirectory) throws IOException {
        if (!switchUser) {
            return;
        }
        Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                continue;
            }
            if (agentDirectory == null || !p.startsWith(agentDirectory)) {
                throw new IllegalStateException("guests run as '" + name + "' and cannot reach " + dir + ": " + p
                        + " is not searchable by others (chmod o+x, or another state directory)");
            }
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
    }

    /** The effective uid of this process: the owner of {@code /proc/self}. */
    static int agentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot tell which user the agent runs as: " + e.getMessage(), e);
        }
    }

    private static String nameOf(int uid) {
        CommandResult r = HostCommand.run(List.of("getent", "passwd", Integer.toString(uid)));
        String line = r.output().strip();
        return r.succeeded() && !line.isEmpty() ? line.split(":", -1)[0] : Integer.toString(uid);
    }

    /** uid and gid of {@code name}, from the passwd database (files, LDAP, whatever NSS says). */
    private static int[] lookup(String name) {
        if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")) {
            throw new IllegalArgumentException("'" + name + "' is not a user name");
        }
        CommandResult r = HostCommand.run(List.of("getent", "passwd", name));
        String line = r.output().strip();
        if (!r.succeeded() || line.isEmpty()) {
            throw new IllegalArgumentException("no user named '" + name + "' on this host");
        }
        String[] f = line.split(":", -1);
        return new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
    }
}
