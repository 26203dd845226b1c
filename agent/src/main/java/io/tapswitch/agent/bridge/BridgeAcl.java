package io.tapswitch.agent.bridge;

import io.tapswitch.agent.config.ConfigValidator;
import io.tapswitch.agent.config.FieldError;
import io.tapswitch.agent.config.VlanSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may attach a QEMU guest to the switch through the bridge helper, and in which VLAN: the
 * access list, in the spirit of QEMU's {@code /etc/qemu/bridge.conf}. One rule a line, the first
 * that matches the caller decides, and nobody is allowed unless a line says so:
 *
 * <pre>
 * # who  what                      the port's VLAN (optional; default: a trunk of all VLANs)
 * allow user alice                 vlan 10
 * allow group kvm                  trunk 10,20-29
 * allow group lab                  vlan 30 trunk 40-49     (VLAN 30 untagged, 40-49 tagged)
 * deny  user mallory
 * allow all                        vlan 99
 * </pre>
 *
 * <p>Users and groups are names (or numbers) as the system resolves them; a caller matches a
 * group it has as its primary or a supplementary group, as the kernel counts its process's
 * credentials. A file with a bad line refuses everyone and says which line, rather than guess.
 */
public final class BridgeAcl {
    /** One line. */
    record Rule(int line, boolean allow, String kind, String who, VlanSpec vlan) {
    }

    /** What the list says about a caller. */
    public record Decision(boolean allowed, VlanSpec vlan, String reason) {
    }

    /** Names and numbers of users and groups, as the system resolves them ({@code getent}). */
    public interface Directory {
        /** The uid of user {@code name} (a name or a number), or -1. */
        int uid(String name);

        /** The gid of group {@code name} (a name or a number), or -1. */
        int gid(String name);
    }

    private final Path file;
    private final List<Rule> rules;
    private final String error;

    private BridgeAcl(Path file, List<Rule> rules, String error) {
        this.file = file;
        this.rules = rules;
        this.error = error;
    }

    /** Reads the list; a missing or bad file gives a list that refuses everyone, saying why. */
    public static BridgeAcl read(Path file) {
        try {
            return parse(file, Files.readAllLines(file));
        } catch (NoSuchFileException e) {
            return new BridgeAcl(file, List.of(), "there is no access list " + file + ": nobody may attach");
        } catch (IOException e) {
            return new BridgeAcl(file, List.of(), "cannot read the access list " + file + ": " + e.getMessage());
        }
    }

    static BridgeAcl parse(Path file, List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String[] w = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (w.length == 1 && w[0].isEmpty()) {
                continue;
            }
            try {
                rules.add(rule(i + 1, w));
            } catch (IllegalArgumentException e) {
                return new BridgeAcl(file, List.of(), file + " line " + (i + 1) + ": " + e.getMessage()
                        + "; nobody may attach until it is fixed");
            }
        }
        return new BridgeAcl(file, List.copyOf(rules), null);
    }

    private static Rule rule(int line, String[] w) {
        String verb = w[0].toLowerCase(Locale.ROOT);
        if (!verb.equals("allow") && !verb.equals("deny")) {
            throw new IllegalArgumentException("starts with '" + w[0] + "', not allow or deny");
        }
        if (w.length < 2) {
            throw new IllegalArgumentException("says " + verb + " whom? (user NAME, group NAME or all)");
        }
        String kind = w[1].toLowerCase(Locale.ROOT);
        int at;
        String who = null;
        if (kind.equals("all")) {
            at = 2;
        } else if (kind.equals("user") || kind.equals("group")) {
            if (w.length < 3) {
                throw new IllegalArgumentException(kind + " needs a name");
            }
            who = w[2];
            at = 3;
        } else {
            throw new IllegalArgumentException("'" + w[1] + "' is not user, group or all");
        }
        Integer tag = null;
        String trunks = null;
        while (at < w.length) {
            String key = w[at].toLowerCase(Locale.ROOT);
            if (at + 1 >= w.length) {
                throw new IllegalArgumentException("'" + w[at] + "' needs a value");
            }
            if (key.equals("vlan")) {
                try {
                    tag = Integer.parseInt(w[at + 1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("vlan '" + w[at + 1] + "' is not a VLAN ID");
                }
            } else if (key.equals("trunk")) {
                trunks = w[at + 1];
            } else {
                throw new IllegalArgumentException("'" + w[at] + "' is not vlan or trunk");
            }
            at += 2;
        }
        if (!verb.equals("allow") && (tag != null || trunks != null)) {
            throw new IllegalArgumentException("a deny line has no VLAN");
        }
        VlanSpec vlan = tag == null && trunks == null ? null
                : new VlanSpec(tag != null && trunks != null ? "native-untagged" : tag != null ? "access" : "trunk",
                tag, trunks, null);
        if (vlan != null) {
            List<FieldError> errors = new ArrayList<>();
            ConfigValidator.vlan(vlan, "", errors);
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(errors.get(0).field().equals("tag") ? "vlan: " + errors.get(0).reason()
                        : errors.get(0).field() + ": " + errors.get(0).reason());
            }
        }
        return new Rule(line, verb.equals("allow"), kind, who, vlan);
    }

    /**
     * The first rule that matches a caller with {@code uid}, named {@code userName}, in
     * {@code groups} decides; none means no.
     */
    public Decision decide(int uid, String userName, Set<Integer> groups, Directory directory) {
        if (error != null) {
            return new Decision(false, null, error);
        }
        for (Rule r : rules) {
            boolean match = switch (r.kind()) {
                case "all" -> true;
                case "user" -> r.who().equals(userName) || directory.uid(r.who()) == uid;
                default -> {
                    int gid = directory.gid(r.who());
                    yield gid >= 0 && groups.contains(gid);
                }
            };
            if (match) {
                return r.allow() ? new Decision(true, r.vlan(), file + " line " + r.line() + " allows " + userName)
                        : new Decision(false, null, file + " line " + r.line() + " denies " + userName);
            }
        }
        return new Decision(false, null, "no line of " + file + " allows " + userName + " (uid " + uid + ")");
    }
}
