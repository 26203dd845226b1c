package io.tapswitch.agent.check;

import io.tapswitch.agent.state.ConflictException;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.vm.ConsolePaths;
import io.tapswitch.agent.vm.InvalidLabException;
import io.tapswitch.agent.vm.LabFile;
import io.tapswitch.agent.vm.Labs;
import io.tapswitch.agent.vm.VmStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Tests a lab that is up on this agent: runs the checks of its lab file in its guests, through
 * their serial consoles, and reports each result as it ends. It never brings a lab up or down;
 * that stays with {@link Labs} (and {@code tapswitch vm test}, which does both around a test).
 *
 * <p>The checks come from the lab file at the time of the test, not of {@code up}: by default the
 * file the lab was brought up from, re-read, or a file the caller names, which must describe the
 * same lab (same name; its VMs are taken to be the running ones). Editing a lab's checks and
 * testing again therefore needs no reboot of its guests. Only one test of a lab runs at a time,
 * because the test holds every guest's console.
 */
public final class LabTests {
    private static final Logger LOG = LoggerFactory.getLogger(LabTests.class);

    /** All results of one test. */
    public record Report(String lab, String file, int passed, int failed, int errors, long durationMillis,
                         List<CheckResult> results) {
    }

    private final Labs labs;
    private final Set<String> testing = new HashSet<>();

    public LabTests(Labs labs) {
        this.labs = labs;
    }

    /**
     * Runs the checks of lab {@code name}; blocks until all have ended.
     *
     * @param file     absolute path of the lab file whose checks to run, or null for the one the lab came up from
     * @param onResult called as each check ends
     * @throws ConflictException       when the lab is not up here, or is being tested already
     * @throws InvalidRequestException naming {@code file} when it is unusable or describes another lab
     */
    public Report test(String name, String file, Consumer<CheckResult> onResult) throws InterruptedException {
        List<Labs.VmView> vms = labs.vms().stream().filter(v -> v.lab().equals(name)).toList();
        if (vms.isEmpty()) {
            throw new ConflictException("lab " + name + " is not up; bring it up first (tapswitch vm up LAB.yaml, "
                    + "or POST /api/v1/labs)");
        }
        Path source = file != null ? Path.of(file) : labs.labFile(name).orElse(null);
        LabFile lab = load(name, source, file != null);
        synchronized (testing) {
            if (!testing.add(name)) {
                throw new ConflictException("lab " + name + " is already being tested");
            }
        }
        long start = System.nanoTime();
        try {
            Map<String, Path> sockets = new HashMap<>();
            for (Labs.VmView v : vms) {
                if (v.state() == VmStatus.State.RUNNING) {
                    sockets.put(v.name(), ConsolePaths.in(Path.of(v.consoleLog()).getParent(), v.name()).socket());
                }
            }
            List<CheckResult> results;
            try (ConsoleShells shells = new ConsoleShells(sockets)) {
                results = new CheckRunner(lab, shells, lab.vms().size()).run(lab.checks(), onResult);
            }
            int passed = count(results, CheckResult.Status.PASS);
            int failed = count(results, CheckResult.Status.FAIL);
            int errors = count(results, CheckResult.Status.ERROR);
            LOG.info("lab {} tested: {} passed, {} failed, {} errors", name, passed, failed, errors);
            return new Report(name, source.toString(), passed, failed, errors, (System.nanoTime() - start) / 1_000_000, results);
        } finally {
            synchronized (testing) {
                testing.remove(name);
            }
        }
    }

    private static LabFile load(String name, Path path, boolean given) {
        if (path == null) {
            throw new InvalidRequestException("file", "lab " + name + " has no recorded lab file; name one (an absolute path)");
        }
        if (given && !path.isAbsolute()) {
            throw new InvalidRequestException("file", "must be an absolute path (the agent's working directory is not the caller's)");
        }
        if (!Files.isRegularFile(path)) {
            throw new InvalidRequestException("file", "no such file: " + path);
        }
        LabFile lab;
        try {
            lab = LabFile.load(path);
        } catch (InvalidLabException e) {
            throw new InvalidRequestException("file", String.join("; ", e.problems()));
        }
        if (!lab.name().equals(name)) {
            throw new InvalidRequestException("file", path + " describes lab " + lab.name() + ", not " + name);
        }
        return lab;
    }

    private static int count(List<CheckResult> results, CheckResult.Status status) {
        return (int) results.stream().filter(r -> r.status() == status).count();
    }
}
