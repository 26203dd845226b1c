package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The rule that keeps the API's bearer token private when it sits in the config file: a file that
 * holds a token is readable and writable by its owner only (mode 0600).
 *
 * <p>The agent applies the rule itself whenever it writes the file ({@link ConfigFile}), whatever
 * mode the user gave it. A file it has not written yet is the user's, so at start the agent only
 * warns, as ssh does about a key others can read, naming the file and the command that fixes it;
 * refusing to start would turn a permission slip into an outage of the switch.
 */
public final class ConfigSecrecy {
    /** The mode of a file that holds a token. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private ConfigSecrecy() {
    }

    /** Whether {@code config} holds a secret that the file it is written to must keep private. */
    public static boolean holdsSecret(AgentConfig config) {
        return config.http() != null && config.http().token() != null;
    }

    /**
     * The mode a file holding {@code config} is written with: 0600 when it holds a token, else the
     * mode the file has ({@code current}), or 0600 for a new file.
     */
    public static Set<PosixFilePermission> modeFor(AgentConfig config, Set<PosixFilePermission> current) {
        return holdsSecret(config) || current == null ? OWNER_ONLY : current;
    }

    /**
     * The warning for a config file that holds a token which group or others can access, or null
     * when there is nothing to warn about (no token, or a private file).
     */
    public static String warning(Path file, AgentConfig config) throws IOException {
        if (!holdsSecret(config)) {
            return null;
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.stream().noneMatch(GROUP_OR_OTHERS::contains)) {
            return null;
        }
        return "WARNING: config file " + file + " holds the API token (http.token) but its permissions "
                + PosixFilePermissions.toString(mode) + " let group or others read it. Run: chmod 600 " + file
                + " (the agent writes it 0600 the next time it saves a change).";
    }
}
