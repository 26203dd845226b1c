package io.tapswitch.tests.lab;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * What a lab scenario does when the machine lacks something it needs, such as a Docker engine,
 * root, or the TUN device: skip, or fail.
 *
 * <p>On a developer's machine a missing engine is a setup gap, not a switch bug, so the scenario
 * is skipped with the reason and the gap stays visible in the report. In CI the same skip would
 * be dangerous: failsafe's {@code verify} fails a build for failed tests but never for skipped
 * ones, so a CI machine whose engine did not start would report success with none of the lab
 * scenarios run. Where the scenarios are required, a missing prerequisite therefore fails the
 * scenario instead, naming what is missing and why it is required.
 *
 * <p>They are required when the environment variable {@value #CI_VARIABLE} is {@code true} (or
 * {@code 1}), which the CI runner sets for {@code .ci/run}, or when the system property
 * {@value #REQUIRE_PROPERTY} is {@code true}, as in
 * {@code mvn verify -Dtapswitch.requireDocker=true}; failsafe hands both to the test JVM. The
 * property may also be {@code false} to let a CI-like environment skip on purpose.
 *
 * <p>Every check that can skip a lab scenario goes through {@link #require}, so no scenario can
 * escape the rule by calling JUnit's assumptions itself.
 */
public final class Prerequisites {

    /** The environment variable that CI runners set to {@code true}. */
    public static final String CI_VARIABLE = "CI";

    /** The system property that requires lab prerequisites, or waives them when {@code false}. */
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
            skipOrFail(missing.get(), areRequired(), why(System.getenv(), System.getProperties()));
        }
    }

    static void skipOrFail(String reason, boolean required, String why) {
        if (required) {
            Assertions.fail(reason + " (" + why + ", so lab scenarios must run instead of being skipped)");
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
        return areRequired(System.getenv(), System.getProperties());
    }

    static boolean areRequired(Map<String, String> environment, Properties properties) {
        String property = properties.getProperty(REQUIRE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Boolean.parseBoolean(property.strip());
        }
        return isSet(environment.get(CI_VARIABLE));
    }

    private static String why(Map<String, String> environment, Properties properties) {
        return properties.getProperty(REQUIRE_PROPERTY) != null
                ? REQUIRE_PROPERTY + "=" + properties.getProperty(REQUIRE_PROPERTY)
                : CI_VARIABLE + "=" + environment.get(CI_VARIABLE);
    }

    private static boolean isSet(String value) {
        if (value == null) {
            return false;
        }
        String text = value.strip().toLowerCase(Locale.ROOT);
        return text.equals("true") || text.equals("1");
    }
}
