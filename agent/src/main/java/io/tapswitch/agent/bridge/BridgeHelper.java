package io.tapswitch.agent.bridge;

import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.FileDescriptor;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.UnixSocket;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code qemu-bridge-helper} for tapswitch: the program QEMU runs for
 * {@code -netdev bridge,br=tapswitch,helper=/usr/lib/tapswitch/qemu-bridge-helper}, as QEMU's own
 * (unprivileged) user, with {@code --use-vnet --fd=N --br=NAME}. QEMU expects a TAP descriptor
 * back over its socket {@code N} (one byte with an {@code SCM_RIGHTS} message) and a zero exit
 * status, or a non-zero one and a message on standard error.
 *
 * <p>It holds no privilege and makes nothing itself: it asks the agent over its UNIX socket
 * ({@link BridgeServer}), which checks who is asking and hands over a TAP already on the switch,
 * and passes that descriptor on to QEMU. Plain Java on switch-core's bindings, so that it starts
 * quickly and loads nothing of the agent's server side. The socket is {@code $TAPSWITCH_BRIDGE_SOCKET}
 * or {@code --socket=PATH}, by default {@value io.tapswitch.agent.config.BridgeHelperSpec#DEFAULT_SOCKET}.
 */
public final class BridgeHelper {
    private static final String ME = "qemu-bridge-helper";

    private BridgeHelper() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv("TAPSWITCH_BRIDGE_SOCKET"), System.err));
    }

    /** Does the helper's work; returns its exit status, having said why on {@code err} when it is not 0. */
    static int run(String[] args, String socketFromEnv, PrintStream err) {
        boolean vnet = false;
        int fd = -1;
        String bridge = null;
        String socket = socketFromEnv != null && !socketFromEnv.isEmpty() ? socketFromEnv
                : io.tapswitch.agent.config.BridgeHelperSpec.DEFAULT_SOCKET;
        for (String a : args) {
            if (a.equals("--use-vnet")) {
                vnet = true;
            } else if (a.startsWith("--fd=")) {
                try {
                    fd = Integer.parseInt(a.substring(5));
                } catch (NumberFormatException e) {
                    fd = -1;
                }
            } else if (a.startsWith("--br=")) {
                bridge = a.substring(5);
            } else if (a.startsWith("--socket=")) {
                socket = a.substring(9);
            } else {
                err.println(ME + ": unknown argument '" + a + "'; usage: " + ME + " [--use-vnet] --fd=N --br=BRIDGE");
                return 2;
            }
        }
        if (fd < 0 || bridge == null || bridge.isEmpty() || !bridge.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            err.println(ME + ": usage: " + ME + " [--use-vnet] --fd=N --br=BRIDGE (QEMU runs it so)");
            return 2;
        }
        String answer;
        FileDescriptor tap;
        try (UnixSocket agent = UnixSocket.connect(socket)) {
            agent.send(("attach " + bridge + (vnet ? " vnet" : " novnet") + "\n").getBytes(StandardCharsets.US_ASCII), -1);
            UnixSocket.Received r = agent.receive(1024);
            answer = new String(r.data(), StandardCharsets.UTF_8).trim();
            tap = r.fd();
        } catch (NativeException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ECONNREFUSED) {
                err.println(ME + ": cannot reach the tapswitch agent at " + socket
                        + ": is it running, with a bridgeHelper section in its config?");
            } else {
                err.println(ME + ": talking to the tapswitch agent at " + socket + " failed: " + e.getMessage());
            }
            return 1;
        }
        if (!answer.startsWith("ok ") || tap == null) {
            if (tap != null) {
                tap.close();
            }
            err.println(ME + ": " + (answer.startsWith("error ") ? answer.substring(6)
                    : answer.isEmpty() ? "the agent closed the connection without an answer" : "unexpected answer '" + answer + "'"));
            return 1;
        }
        try (FileDescriptor t = tap; UnixSocket qemu = UnixSocket.adopt(fd)) {
            qemu.send(new byte[] {0}, t.fd());
        } catch (NativeException e) {
            err.println(ME + ": cannot pass the TAP to QEMU on fd " + fd + ": " + e.getMessage());
            return 1;
        }
        return 0;
    }
}
