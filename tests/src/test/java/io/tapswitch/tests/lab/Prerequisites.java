package io.tapswitch.tests.lab;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * What a lab scenario does when the machine lacks something it needs, such as a Docker engine,
 * root, or the TUN device: fail, or (only when asked to) skip.
 *
 * <p>Failsafe's {@code verify} fails a build for failed tests but never for skipped ones. The lab
 * scenarios are the suite's wire-level tests of unicast isolation, MAC moves and aging, so a skip
 * that anyone can overlook would let the README's test command report a green build on a machine
 * without Docker with none of them run. A missing prerequisite therefore fails the scenario,
 * naming what is missing and how to provide it; this holds on every machine, not only where the
 * environment says it is CI, because a developer's run is read the same way as CI's.
 *
 * <p>Someone who knows the gap and wants the rest of the suite anyway says so with the system
 * property {@value #REQUIRE_PROPERTY}{@code =false}, as in
 * {@code mvn verify -Dtapswitch.requireDocker=false}; failsafe hands it to the test JVM. The
 * scenarios are then skipped with the reason, and the run says so in its report.
 *
 * <p>Every check that can skip a lab scenario goes through {@link #require}, so no scenario can
 * escape the rule by calling JUnit's assumptions itself.
 */
public final class Prerequisites {

    /** The system property that waives lab prerequisites when {@code false}. */
    public static final String REQUIRE_PROPERTY = "tapswitch.requireDocker";

    private static final Path TUN_DEVICE = Path.of("/dev/net/tun");

    private Prerequisites() {
    }

    /**
     * Lets the calling test go on when {@code met}; otherwise skips it, or fails it where lab
     * scenarios are required.
     *
     * @param met whether the prerequisite is there
     * @param missing what is missing and how to provide it, evaluated only when it is missing
     */
    public static void require(boolean met, Supplier<String> missing) {
        if (!met) {
            skipOrFail(missing.get(), areRequired(), why(System.getProperties()));
        }
    }

    static void skipOrFail(String reason, boolean required, String why) {
        if (required) {
            Assertions.fail(reason + " (" + why + ": lab scenarios must run instead of being skipped)");
        }
        Assumptions.abort(reason);
    }

    /** Requires that the tests run as root, which moving netdevs between namespaces needs. */
    public static void requireRoot() {
        String user = System.getProperty("user.name");
        require("root".equals(user), () -> "lab scenarios need root to move netdevs, but run as " + user);
    }

    /** Requires the TUN device through which tapswitch creates its TAP ports. */
    public static void requireTunDevice() {
        require(Files.isReadable(TUN_DEVICE) && Files.isWritable(TUN_DEVICE),
                () -> TUN_DEVICE + " is missing or not usable; run scripts/host-setup.sh as root");
    }

    /** Whether this JVM must fail, rather than skip, lab scenarios that cannot run. */
    public static boolean areRequired() {
        return areRequired(System.getProperties());
    }

    static boolean areRequired(Properties properties) {
        String property = properties.getProperty(REQUIRE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Boolean.parseBoolean(property.strip());
        }
        return true;
    }

    private static String why(Properties properties) {
        String property = properties.getProperty(REQUIRE_PROPERTY);
        return property != null && !property.isBlank()
                ? REQUIRE_PROPERTY + "=" + property
                : "they are required unless -D" + REQUIRE_PROPERTY + "=false";
    }
}
