package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.LabCheck;
import io.tapswitch.agent.vm.LabFile;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code mirror: {monitor, from, to, count}}: while {@code from} pings {@code to} {@code count}
 * times, tcpdump on the monitor VM (on the NIC whose port is a mirror output of the lab, else
 * eth0) must see at least {@code count} of those echo requests. The monitor is not an end of the
 * flow, so it only sees them if the switch copies them to its port.
 */
final class MirrorCheck implements Probe {
    private static final AtomicInteger TAGS = new AtomicInteger();
    private static final String ICMP = "icmp or icmp6 or (vlan and (icmp or icmp6))";

    private final LabCheck.Mirror mirror;
    private final Set<String> vms;
    private final String address;
    private final String iface;

    MirrorCheck(LabFile lab, LabCheck check) {
        this.mirror = check.mirror();
        this.vms = check.vms(lab);
        this.address = new Targets(lab).address(mirror.from(), mirror.to());
        List<String> ports = lab.vm(mirror.monitor()).ports();
        int nic = 0;
        for (int i = 0; i < ports.size(); i++) {
            String port = ports.get(i);
            if (lab.mirrors().stream().anyMatch(m -> port.equals(m.output()))) {
                nic = i;
                break;
            }
        }
        this.iface = "eth" + nic;
    }

    @Override
    public Set<String> vms() {
        return vms;
    }

    @Override
    public Outcome run(GuestShell shell) throws IOException, TimeoutException {
        if (!Capture.available(shell, mirror.monitor())) {
            return Outcome.error("the image of " + mirror.monitor() + " has no tcpdump to watch the mirror with");
        }
        int count = mirror.effectiveCount();
        Capture capture = Capture.start(shell, mirror.monitor(), iface, ICMP, "mirror" + TAGS.incrementAndGet());
        PingOutput ping = PingOutput.parse(shell.exec(mirror.from(), PingOutput.command(address, count, null),
                PingOutput.timeout(count)).output());
        List<String> lines = capture.stop(shell).lines().toList();
        long requests = lines.stream().filter(l -> l.contains(" > " + address + ": ICMP") && l.contains("echo request")).count();
        long replies = lines.stream().filter(l -> l.contains(" " + address + " > ") && l.contains("echo reply")).count();
        String evidence = requests + " echo requests and " + replies + " replies " + mirror.from() + " -> " + mirror.to()
                + " (" + address + ") seen on " + mirror.monitor() + " " + iface + " (expected " + count + " requests); ping "
                + ping.describe();
        return Outcome.of(requests >= count, evidence);
    }
}
