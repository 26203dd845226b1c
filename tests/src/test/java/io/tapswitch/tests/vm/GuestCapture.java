package io.tapswitch.tests.vm;

import io.tapswitch.agent.vm.GuestConsole;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcpdump on a guest's {@code eth0}, started and read back over the guest's serial console. A
 * negative in a VM test ("this frame does not reach that guest") is only worth something when it
 * looks at the guest's wire: a ping that fails says nothing about frames that went one way only.
 * The guest kernel hands tcpdump 802.1Q/802.1ad tags as libpcap puts them back, so tagged frames on
 * a trunk guest's wire print their tags too.
 */
final class GuestCapture {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    /** A frame's summary line starts with its time stamp; console noise (kernel messages) does not. */
    private static final Pattern FRAME = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d+ .*");
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

    private final VmLab lab;
    private final String vm;
    private final String file;

    private GuestCapture(VmLab lab, String vm, String file) {
        this.lab = lab;
        this.vm = vm;
        this.file = file;
    }

    /**
     * Starts tcpdump in {@code vm} with {@code filter} (a pcap expression) and returns once it says it
     * is listening, so that nothing sent after this call is missed.
     */
    static GuestCapture start(VmLab lab, String vm, String filter) throws Exception {
        String file = "/tmp/ts-cap." + SEQUENCE.incrementAndGet();
        GuestConsole.Result r = lab.exec(vm, "rm -f " + file + " " + file + ".err " + file + ".pid; "
                + "(tcpdump -l -n -e -i eth0 " + filter + " > " + file + " 2> " + file + ".err & echo $! > " + file + ".pid); "
                + "n=0; until grep -q 'listening on' " + file + ".err || [ $n -ge 200 ]; do sleep 0.1; n=$((n + 1)); done; "
                + "grep -q 'listening on' " + file + ".err || { cat " + file + ".err; exit 1; }", TIMEOUT);
        assertThat(r.exitCode()).as("tcpdump '%s' in %s did not start: %s", filter, vm, r.output()).isZero();
        return new GuestCapture(lab, vm, file);
    }

    /** Waits a second for frames in flight, stops tcpdump and returns one summary line per frame it saw. */
    List<String> stop() throws Exception {
        GuestConsole.Result r = lab.exec(vm, "sleep 1; p=$(cat " + file + ".pid); kill $p; "
                + "n=0; while kill -0 $p 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done; "
                + "cat " + file + "; rm -f " + file + " " + file + ".err " + file + ".pid", TIMEOUT);
        return r.output().lines().map(String::strip).filter(l -> FRAME.matcher(l).matches()).toList();
    }
}
