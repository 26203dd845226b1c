package io.tapswitch.tests.netns;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Root and kernel-feature guard for integration tests. These tests are the point of the suite, so
 * a missing capability fails them loudly instead of skipping: CI runs as root on a kernel with TUN.
 */
public final class Root {
    private Root() {
    }

    public static void require() {
        String user = System.getProperty("user.name");
        if (!"root".equals(user)) {
            throw new IllegalStateException("integration tests need root (running as " + user + ")");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            throw new IllegalStateException("/dev/net/tun is missing: load the tun module");
        }
    }
}
