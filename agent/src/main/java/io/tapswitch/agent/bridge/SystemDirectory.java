package io.tapswitch.agent.bridge;

import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Users and groups as the system resolves them: {@code getent}, so that whatever the machine's
 * name service is (files, LDAP, systemd's dynamic users) the access list means what {@code id}
 * says; and a process's groups from {@code /proc/PID/status}, the credentials it actually runs
 * with, not those its user would get at a new login.
 */
final class SystemDirectory implements BridgeAcl.Directory {
    @Override
    public int uid(String name) {
        return id("passwd", name);
    }

    @Override
    public int gid(String name) {
        return id("group", name);
    }

    /** The name of user {@code uid}, or {@code uid N} when it has none. */
    String userName(int uid) {
        CommandResult r = HostCommand.run("getent", "passwd", Integer.toString(uid));
        String[] f = r.stdout().trim().split(":");
        return r.exitCode() == 0 && f.length > 2 && !f[0].isEmpty() ? f[0] : "uid " + uid;
    }

    /** The primary group {@code gid} and the supplementary groups of process {@code pid}. */
    Set<Integer> groupsOf(int pid, int gid) {
        Set<Integer> groups = new HashSet<>();
        groups.add(gid);
        try {
            List<String> status = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"));
            for (String line : status) {
                if (line.startsWith("Groups:")) {
                    for (String g : line.substring("Groups:".length()).trim().split("\\s+")) {
                        if (!g.isEmpty()) {
                            groups.add(Integer.parseInt(g));
                        }
                    }
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // the process has gone already: only its primary group counts
        }
        return groups;
    }

    private static int id(String database, String name) {
        if (name.isEmpty() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || "._-".indexOf(c) >= 0)) {
            return -1;
        }
        CommandResult r = HostCommand.run("getent", database, name);
        String[] f = r.stdout().trim().split(":");
        if (r.exitCode() != 0 || f.length < 3) {
            return -1;
        }
        try {
            return Integer.parseInt(f[2]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
