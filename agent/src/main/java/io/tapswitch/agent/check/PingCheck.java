package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.LabCheck;
import io.tapswitch.agent.vm.LabFile;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ping: {from, to, expect, count, size, df}}: busybox ping from one guest; {@code expect: ok}
 * passes when every request is answered, {@code expect: fail} when none is.
 *
 * <p>busybox ping has no {@code -M do}. The guest kernel already sets DF on every ping that fits the
 * outgoing interface's MTU (Linux raw sockets default to path MTU discovery), and fragments only
 * the ones that do not; so {@code df: true} first asks the guest for that MTU and, when the packet
 * would not fit, reports the ping as failed without sending it, as a DF-setting ping would.
 */
final class PingCheck implements Probe {
    private static final Pattern DEV_MTU = Pattern.compile("dev (\\S+) mtu (\\d+)");

    private final LabCheck.Ping ping;
    private final Set<String> vms;
    private final String address;

    PingCheck(LabFile lab, LabCheck check) {
        this.ping = check.ping();
        this.vms = check.vms(lab);
        this.address = new Targets(lab).address(ping.from(), ping.to());
    }

    @Override
    public Set<String> vms() {
        return vms;
    }

    @Override
    public Outcome run(GuestShell shell) throws IOException, TimeoutException {
        int count = ping.effectiveCount();
        String target = address.equals(ping.to()) ? address : ping.to() + " (" + address + ")";
        if (ping.effectiveDf()) {
            String tooBig = doesNotFit(shell);
            if (tooBig != null) {
                return Outcome.of(!ping.expectOk(), "0/" + count + " sent to " + target + ": " + tooBig);
            }
        }
        PingOutput out = PingOutput.parse(shell.exec(ping.from(), PingOutput.command(address, count, ping.size()),
                PingOutput.timeout(count)).output());
        String evidence = out.describe() + " from " + ping.from() + " to " + target
                + (ping.expectOk() ? "" : " (expected none)");
        return Outcome.of(ping.expectOk() ? out.received() == count && out.transmitted() == count
                : out.transmitted() > 0 && out.received() == 0, evidence);
    }

    /** Why a DF ping of this size cannot leave the guest, or null when it fits. */
    private String doesNotFit(GuestShell shell) throws IOException, TimeoutException {
        String cmd = "d=$(ip route get " + address + " | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p' | head -n1);"
                + " echo dev $d mtu $(cat /sys/class/net/$d/mtu)";
        Matcher m = DEV_MTU.matcher(shell.exec(ping.from(), cmd, Duration.ofSeconds(15)).output());
        if (!m.find()) {
            return null;
        }
        int headers = address.contains(":") ? 48 : 28;
        int payload = ping.size() == null ? 56 : ping.size();
        int mtu = Integer.parseInt(m.group(2));
        return payload + headers > mtu
                ? "size " + payload + " + " + headers + " header bytes > MTU " + mtu + " of " + m.group(1) + " with DF set"
                : null;
    }
}
