package io.tapswitch.tests.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The systemd unit the Debian package ships, read as systemd reads the few settings that decide how
 * the agent runs: its user and group, its command line and its capabilities. Where systemd is not
 * running (a container, CI) the tests start the same process with {@code setpriv}, built from these
 * settings, so a change to the unit changes what the tests start.
 */
record ServiceUnit(String user, String group, List<String> execStart, List<String> ambientCaps,
                   List<String> boundingCaps, Map<String, String> settings) {

    /** The unit in the source tree. */
    static final Path SOURCE = Path.of("..").toAbsolutePath().normalize().resolve("dist/src/deb/systemd/tapswitch.service");

    static ServiceUnit read(Path file) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("[") || !l.contains("=")) {
                continue;
            }
            settings.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1).strip());
        }
        return new ServiceUnit(settings.get("User"), settings.get("Group"), words(settings.get("ExecStart")),
                words(settings.get("AmbientCapabilities")), words(settings.get("CapabilityBoundingSet")), settings);
    }

    /** Exit statuses systemd counts as a clean stop: 0 and the unit's {@code SuccessExitStatus}. */
    List<String> successExitStatus() {
        List<String> ok = new ArrayList<>(List.of("0"));
        ok.addAll(words(settings.get("SuccessExitStatus")));
        return ok;
    }

    private static List<String> words(String value) {
        return value == null ? List.of() : Arrays.asList(value.strip().split("\\s+"));
    }

    /**
     * The argument list that starts {@code command} as this unit would: as {@code user} (the unit's
     * own, or a stand-in a test created), with the unit's ambient capabilities and bounding set.
     */
    List<String> setpriv(String asUser, List<String> command) {
        String ambient = setprivCaps(ambientCaps);
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + asUser, "--regid=" + asUser, "--init-groups",
                "--inh-caps=" + ambient, "--ambient-caps=" + ambient, "--bounding-set=-all," + setprivCaps(boundingCaps)));
        argv.addAll(command);
        return argv;
    }

    /** {@code CAP_NET_ADMIN CAP_NET_RAW} as setpriv writes it: {@code +net_admin,+net_raw}. */
    private static String setprivCaps(List<String> caps) {
        return String.join(",", caps.stream().map(c -> "+" + c.toLowerCase(Locale.ROOT).replaceFirst("^cap_", "")).toList());
    }

    /** The capability mask these names make, as {@code /proc/PID/status} prints it. */
    static long mask(List<String> caps) {
        long m = 0;
        for (String c : caps) {
            m |= 1L << switch (c) {
                case "CAP_NET_ADMIN" -> 12;
                case "CAP_NET_RAW" -> 13;
                default -> throw new IllegalArgumentException("unexpected capability in the unit: " + c);
            };
        }
        return m;
    }
}
