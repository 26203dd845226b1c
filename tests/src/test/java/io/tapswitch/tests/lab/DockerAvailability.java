package io.tapswitch.tests.lab;

import org.testcontainers.DockerClientFactory;

/**
 * Answers, once per test JVM, whether a Docker engine can be reached, and why not.
 *
 * <p>Lab scenarios cannot run without an engine. A missing engine fails them, naming the reason
 * and the fix ({@code scripts/host-setup.sh} starts a suitable engine), unless the run waived
 * them with {@code -Dtapswitch.requireDocker=false}; then they are reported as skipped with the
 * reason (see {@link Prerequisites}). They never pass without having run.
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
     * Fails the calling test when no engine can be reached, or aborts it (JUnit reports it as
     * skipped, with the reason) where the run waived lab prerequisites (see {@link Prerequisites}).
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
