package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.LabCheck;
import io.tapswitch.agent.vm.LabFile;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tcp: {from, to, bytes, minMbit}}: random bytes sent over TCP with busybox {@code nc}; the
 * md5 of what was sent and of what arrived must be equal, and the rate at least {@code minMbit}.
 *
 * <p>Neither side stores the data: the sender's md5 is taken from a FIFO the stream is teed into
 * and the receiver hashes the stream as it arrives, since a guest's {@code /tmp} lives in its RAM
 * and a check may send up to 1 GiB. The rate is bytes over the sender's wall time from the first
 * byte generated until its {@code nc} ended (the receiver had closed), in the guest's clock.
 * The receiving {@code nc} needs a stdin that never ends, otherwise it half-closes at once; the
 * check holds both VMs, so any {@code nc} left in the receiver afterwards is its own and is killed
 * (the guest's busybox has {@code killall}, no {@code pkill}).
 */
final class TcpCheck implements Probe {
    private static final AtomicInteger PORTS = new AtomicInteger();
    private static final Pattern MD5 = Pattern.compile("\\b([0-9a-f]{32})\\b");
    private static final Pattern TIMES = Pattern.compile("TS-TCP rc=(\\d+) start=([\\d.]+) end=([\\d.]+)");

    private final LabCheck.Tcp tcp;
    private final Set<String> vms;
    private final String address;

    TcpCheck(LabFile lab, LabCheck check) {
        this.tcp = check.tcp();
        this.vms = check.vms(lab);
        this.address = new Targets(lab).address(tcp.from(), tcp.to());
    }

    @Override
    public Set<String> vms() {
        return vms;
    }

    @Override
    public Outcome run(GuestShell shell) throws IOException, TimeoutException {
        int port = 20000 + Math.floorMod(PORTS.getAndIncrement() + (int) (System.nanoTime() / 1000), 10000);
        long bytes = tcp.effectiveBytes();
        String rx = "/tmp/ts-rx-" + port;
        String listen = "rm -f " + rx + "; (sleep 600 | nc -l -p " + port + " | md5sum > " + rx + " &);"
                + " i=0; while ! netstat -ltn 2>/dev/null | grep -q ':" + port + " ' && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done";
        shell.exec(tcp.to(), listen, Duration.ofSeconds(20));
        String tx = "/tmp/ts-tx-" + port;
        // generous: a TCG guest moves some MB/s; at least 30 s
        Duration sendTimeout = Duration.ofSeconds(30 + bytes / 1_000_000);
        String send = "f=" + tx + "; rm -f $f $f.md5; mkfifo $f; (md5sum < $f > $f.md5 &);"
                + " s=$(cut -d' ' -f1 /proc/uptime); head -c " + bytes + " /dev/urandom | tee $f | nc -w 5 " + address + " " + port
                + "; rc=$?; e=$(cut -d' ' -f1 /proc/uptime);"
                + " i=0; while [ ! -s $f.md5 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done;"
                + " echo \"TS-TCP rc=$rc start=$s end=$e\"; cat $f.md5; rm -f $f $f.md5";
        String sent = shell.exec(tcp.from(), send, sendTimeout).output();
        String collect = "i=0; while [ ! -s " + rx + " ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done;"
                + " killall nc >/dev/null 2>&1; cat " + rx + "; rm -f " + rx;
        String received = shell.exec(tcp.to(), collect, Duration.ofSeconds(30)).output();
        Matcher times = TIMES.matcher(sent);
        boolean timed = times.find();
        Matcher sentMd5 = MD5.matcher(sent.substring(timed ? times.end() : 0));
        Matcher rxMd5 = MD5.matcher(received);
        String txHash = sentMd5.find() ? sentMd5.group(1) : null;
        String rxHash = rxMd5.find() ? rxMd5.group(1) : null;
        if (txHash == null || !timed) {
            return Outcome.error("the sender did not report its md5 and times: " + sent.strip());
        }
        double seconds = Math.max(0.01, Double.parseDouble(times.group(3)) - Double.parseDouble(times.group(2)));
        double mbit = bytes * 8 / seconds / 1e6;
        boolean same = txHash.equals(rxHash);
        boolean fast = tcp.minMbit() == null || mbit >= tcp.minMbit();
        String evidence = String.format(Locale.ROOT, "%d bytes %s -> %s (%s:%d) in %.2f s, %.1f Mbit/s%s; md5 sent %s, received %s",
                bytes, tcp.from(), tcp.to(), address, port, seconds, mbit,
                tcp.minMbit() == null ? "" : String.format(Locale.ROOT, " (min %.1f)", tcp.minMbit()),
                txHash.substring(0, 12), rxHash == null ? "none" : rxHash.substring(0, 12));
        return Outcome.of(same && fast, evidence);
    }
}
