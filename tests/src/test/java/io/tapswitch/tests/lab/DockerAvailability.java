package io.tapswitch.tests.lab;

import org.testcontainers.DockerClientFactory;

/**
 * Answers, once per test JVM, whether a Docker engine can be reached, and why not.
 *
 * <p>Lab scenarios cannot run without an engine, but a machine without one is a setup
 * problem, not a switch bug. Those scenarios are therefore reported as skipped with the
 * reason (so the gap stays visible in the test report) rather than failing or, worse,
 * passing without having run; in CI, where they must run, they fail instead (see
 * {@link Prerequisites}). {@code scripts/host-setup.sh} starts a suitable engine.
 */
public final class DockerAvailability {

    private static final String SETUP_HINT = "run scripts/host-setup.sh as root to install and start Docker";

    private static volatile Probe probe;

    private DockerAvailability() {
    }

    /** Whether the engine answered the probe. */
    public static boolean isAvailable() {
        return probe().available();
    }

    /** Why the engine is unavailable, or a short description of the engine when it is available. */
    public static String reason() {
        return probe().reason();
    }

    /**
     * Aborts the calling test (JUnit reports it as skipped, with the reason) when no engine can
     * be reached, or fails it where {@link Prerequisites} says lab scenarios are required (in CI).
     */
    public static void assumeAvailable() {
        Probe result = probe();
        Prerequisites.require(result.available(), () -> "Docker is unavailable: " + result.reason());
    }

    private static Probe probe() {
        Probe result = probe;
        if (result == null) {
            synchronized (DockerAvailability.class) {
                result = probe;
                if (result == null) {
                    result = runProbe();
                    if (!result.available()) {
                        System.err.println("Docker is unavailable, lab scenarios will be "
                                + (Prerequisites.areRequired() ? "failed" : "skipped") + ": " + result.reason());
                    }
                    probe = result;
                }
            }
        }
        return result;
    }

    private static Probe runProbe() {
        try {
            DockerClientFactory factory = DockerClientFactory.instance();
            if (!factory.isDockerAvailable()) {
                return new Probe(false, "no Docker engine answered; " + SETUP_HINT);
            }
            return new Probe(true, "Docker API " + factory.getActiveApiVersion());
        } catch (RuntimeException | LinkageError e) {
            return new Probe(false, e + "; " + SETUP_HINT);
        }
    }

    private record Probe(boolean available, String reason) {
    }
}
