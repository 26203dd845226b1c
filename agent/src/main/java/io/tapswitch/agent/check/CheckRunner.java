package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.LabCheck;
import io.tapswitch.agent.vm.LabFile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a lab's checks against its guests: checks that share no VM run at the same time, checks
 * that share one run one after the other, in the order of the lab file.
 *
 * <p>A VM is given to one check at a time because its serial console runs one command at a time
 * for one client, and because a check's traffic must not be disturbed by another check in the same
 * guest (a capture would count the other's frames). The scheduling is greedy in file order: a check
 * starts when none of its VMs is busy and no earlier check still waiting wants one of them, so a
 * later check never overtakes an earlier one on a shared VM and the results read like the file.
 */
public final class CheckRunner {
    private final LabFile lab;
    private final GuestShell shell;
    private final int parallelism;

    /**
     * @param lab         the lab (its VMs' addresses and MACs; the checks to run are passed to {@link #run})
     * @param shell       runs commands in the lab's guests
     * @param parallelism at most this many checks run at once
     */
    public CheckRunner(LabFile lab, GuestShell shell, int parallelism) {
        this.lab = lab;
        this.shell = shell;
        this.parallelism = Math.max(1, parallelism);
    }

    /** The probe for one validated check. */
    static Probe probe(LabFile lab, LabCheck check) {
        return switch (check.kind()) {
            case "ping" -> new PingCheck(lab, check);
            case "tcp" -> new TcpCheck(lab, check);
            case "isolation" -> new IsolationCheck(lab, check);
            case "mirror" -> new MirrorCheck(lab, check);
            case "exec" -> new ExecCheck(lab, check);
            default -> throw new IllegalArgumentException("check " + check.name() + " has no kind");
        };
    }

    /**
     * Runs {@code checks}, calling {@code onResult} as each one ends (from a worker thread), and
     * returns all results in the order of {@code checks}.
     */
    public List<CheckResult> run(List<LabCheck> checks, Consumer<CheckResult> onResult) throws InterruptedException {
        List<Probe> probes = new ArrayList<>();
        for (LabCheck c : checks) {
            probes.add(probe(lab, c));
        }
        CheckResult[] results = new CheckResult[checks.size()];
        List<Integer> waiting = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            waiting.add(i);
        }
        Set<String> busy = new HashSet<>();
        int[] running = {0};
        Object lock = new Object();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, checks.size())), r -> {
            Thread t = new Thread(r, "lab-check-" + lab.name());
            t.setDaemon(true);
            return t;
        });
        try {
            synchronized (lock) {
                while (!waiting.isEmpty() || running[0] > 0) {
                    Set<String> wantedEarlier = new HashSet<>();
                    for (int k = 0; k < waiting.size() && running[0] < parallelism; ) {
                        int i = waiting.get(k);
                        Set<String> vms = probes.get(i).vms();
                        if (disjoint(vms, busy) && disjoint(vms, wantedEarlier)) {
                            waiting.remove(k);
                            busy.addAll(vms);
                            running[0]++;
                            pool.execute(() -> {
                                CheckResult r = runOne(checks.get(i), probes.get(i));
                                try {
                                    onResult.accept(r);
                                } finally {
                                    synchronized (lock) {
                                        results[i] = r;
                                        busy.removeAll(vms);
                                        running[0]--;
                                        lock.notifyAll();
                                    }
                                }
                            });
                        } else {
                            wantedEarlier.addAll(vms);
                            k++;
                        }
                    }
                    lock.wait();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(results);
    }

    private CheckResult runOne(LabCheck check, Probe probe) {
        long start = System.nanoTime();
        Outcome outcome;
        try {
            outcome = probe.run(shell);
        } catch (TimeoutException e) {
            outcome = Outcome.error("timed out: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = Outcome.error("interrupted");
        } catch (java.io.IOException e) {
            outcome = Outcome.error(e.getMessage());
        } catch (Exception e) {
            outcome = Outcome.error(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new CheckResult(lab.name(), check.name(), check.kind(), outcome.status(), millis, outcome.evidence(),
                List.copyOf(probe.vms()));
    }

    private static boolean disjoint(Set<String> a, Set<String> b) {
        for (String s : a) {
            if (b.contains(s)) {
                return false;
            }
        }
        return true;
    }
}
