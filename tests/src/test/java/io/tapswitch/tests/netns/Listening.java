package io.tapswitch.tests.netns;

import io.tapswitch.agent.host.Netns;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * Waits for a server inside a namespace to be ready, instead of sleeping and hoping: a client
 * started before the server listens gets "connection refused" and the test fails for a reason that
 * has nothing to do with the switch.
 */
public final class Listening {
    private Listening() {
    }

    /** Returns once something in {@code ns} listens on TCP port {@code port}; fails after 10 s. */
    public static void awaitTcp(Netns ns, int port) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
                ns.run("ss", "-Htln", "sport", "=", ":" + port).output().contains(":" + port));
    }
}
