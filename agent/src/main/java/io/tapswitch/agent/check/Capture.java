package io.tapswitch.agent.check;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A tcpdump running in the background of a guest while a check sends traffic elsewhere: how the
 * mirror check sees what the monitor VM receives, and how the isolation check proves that not
 * even a broadcast of the isolated VM reached the target. Lines go to a file in the guest's
 * {@code /tmp}; {@link #stop} ends the capture and returns them.
 */
final class Capture {
    private final String vm;
    private final String file;

    private Capture(String vm, String file) {
        this.vm = vm;
        this.file = file;
    }

    /** Whether the guest image has tcpdump (it is optional in the guest build). */
    static boolean available(GuestShell shell, String vm) throws IOException, TimeoutException {
        return shell.exec(vm, "command -v tcpdump", Duration.ofSeconds(15)).exitCode() == 0;
    }

    /**
     * Starts {@code tcpdump -l -n -i IFACE FILTER} in {@code vm} and returns once it listens, so
     * that nothing sent afterwards is missed.
     */
    static Capture start(GuestShell shell, String vm, String iface, String filter, String tag)
            throws IOException, TimeoutException {
        String file = "/tmp/ts-cap-" + tag;
        String cmd = "rm -f " + file + " " + file + ".err; (tcpdump -l -n -i " + iface + " '" + filter + "' > " + file
                + " 2> " + file + ".err &); i=0; while ! grep -q listening " + file + ".err 2>/dev/null && [ $i -lt 100 ];"
                + " do sleep 0.1; i=$((i+1)); done; grep -q listening " + file + ".err";
        if (shell.exec(vm, cmd, Duration.ofSeconds(30)).exitCode() != 0) {
            String err = shell.exec(vm, "cat " + file + ".err", Duration.ofSeconds(10)).output().strip();
            throw new IOException("tcpdump did not start in " + vm + " on " + iface + ": " + err);
        }
        return new Capture(vm, file);
    }

    /**
     * Stops the capture (giving late frames half a second) and returns the captured lines. The
     * check that started it holds the VM, so every tcpdump in it is this check's.
     */
    String stop(GuestShell shell) throws IOException, TimeoutException {
        String cmd = "sleep 0.5; killall tcpdump >/dev/null 2>&1; sleep 0.3; echo " + MARK + "; cat " + file
                + "; rm -f " + file + " " + file + ".err";
        String out = shell.exec(vm, cmd, Duration.ofSeconds(20)).output();
        int at = out.indexOf(MARK + "\n");
        return at < 0 ? "" : out.substring(at + MARK.length() + 1);
    }

    /** Separates the capture from anything else the stop command printed. */
    private static final String MARK = "TS-CAPTURE";

    String vm() {
        return vm;
    }
}
