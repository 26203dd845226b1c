package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.LabCheck;
import io.tapswitch.agent.vm.LabFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * {@code isolation: {from: [...], to: [...]}}: no VM of {@code from} reaches any VM of {@code to}.
 *
 * <p>Zero replies alone would also pass against a target that is down or has no address, so a
 * negative is only believed with two more pieces of evidence. First the target is proven alive by
 * a ping from a VM on its own segment (same VLAN, on-link addresses), when the lab has one; a
 * target that does not answer it makes the check an ERROR, not a PASS. Second, when the target's
 * image has tcpdump, it captures on its NICs while the isolated VMs ping it, and any frame from
 * their MACs (even an ARP broadcast) fails the check: isolation means nothing crosses, not just
 * that nothing answers.
 */
final class IsolationCheck implements Probe {
    private static final int PINGS = 2;
    private static final java.util.concurrent.atomic.AtomicInteger TAGS = new java.util.concurrent.atomic.AtomicInteger();

    private final LabFile lab;
    private final LabCheck.Isolation isolation;
    private final Targets targets;
    private final Map<String, Optional<String[]>> witnesses = new LinkedHashMap<>();
    private final Set<String> vms;

    IsolationCheck(LabFile lab, LabCheck check) {
        this.lab = lab;
        this.isolation = check.isolation();
        this.targets = new Targets(lab);
        Set<String> all = new LinkedHashSet<>(check.vms(lab));
        for (String to : isolation.to()) {
            Optional<String[]> w = targets.witness(to, isolation.from());
            witnesses.put(to, w);
            w.ifPresent(pair -> all.add(pair[0]));
        }
        this.vms = Set.copyOf(all);
    }

    @Override
    public Set<String> vms() {
        return vms;
    }

    @Override
    public Outcome run(GuestShell shell) throws IOException, TimeoutException {
        List<String> evidence = new ArrayList<>();
        boolean isolated = true;
        for (String to : isolation.to()) {
            Optional<String[]> witness = witnesses.get(to);
            String alive = null;
            if (witness.isPresent()) {
                String w = witness.get()[0];
                PingOutput proof = PingOutput.parse(shell.exec(w, PingOutput.command(witness.get()[1], PINGS, null),
                        PingOutput.timeout(PINGS)).output());
                alive = to + " alive (" + w + " -> " + to + " " + proof.received() + "/" + proof.transmitted() + ")";
                if (proof.received() == 0) {
                    return Outcome.error(to + " is not proven alive: " + w + " on its segment got "
                            + proof.describe() + " from it");
                }
            }
            List<Capture> captures = new ArrayList<>();
            if (Capture.available(shell, to)) {
                List<LabFile.Nic> nics = lab.vm(to).nics();
                for (int i = 0; i < nics.size(); i++) {
                    captures.add(Capture.start(shell, to, "eth" + i, macFilter(), "iso" + TAGS.incrementAndGet()));
                }
            }
            List<String> pings = new ArrayList<>();
            for (String from : isolation.from()) {
                String address = targets.address(from, to);
                PingOutput out = PingOutput.parse(shell.exec(from, PingOutput.command(address, PINGS, null),
                        PingOutput.timeout(PINGS)).output());
                if (out.transmitted() == 0) {
                    // no route, no address: a VM that cannot even send proves nothing about the switch
                    for (Capture c : captures) {
                        c.stop(shell);
                    }
                    return Outcome.error(from + " could not send a ping to " + to + " (" + address + "): no route from it?");
                }
                pings.add(from + " -> " + to + " (" + address + "): " + out.received() + "/" + out.transmitted() + " replies");
                isolated &= out.received() == 0;
            }
            List<String> frames = new ArrayList<>();
            for (Capture c : captures) {
                c.stop(shell).lines().filter(l -> !l.isBlank()).forEach(frames::add);
            }
            String seen = captures.isEmpty() ? "no tcpdump in " + to + " to look for frames"
                    : frames.size() + " frames from " + String.join(",", isolation.from()) + " seen on " + to
                    + (frames.isEmpty() ? "" : " (first: " + shorten(frames.get(0)) + ")");
            isolated &= frames.isEmpty();
            evidence.add(String.join(", ", pings) + ", " + seen + (alive == null ? ", no VM on its segment to prove it alive" : "; " + alive));
        }
        return Outcome.of(isolated, String.join("; ", evidence));
    }

    private static String shorten(String line) {
        String l = line.strip();
        return l.length() > 120 ? l.substring(0, 120) + "..." : l;
    }

    /** A capture filter for every frame sent by a NIC of the isolated VMs. */
    private String macFilter() {
        List<String> macs = new ArrayList<>();
        for (String from : isolation.from()) {
            lab.vm(from).nics().forEach(n -> macs.add("ether src " + n.mac().toLowerCase(java.util.Locale.ROOT)));
        }
        return String.join(" or ", macs);
    }
}
