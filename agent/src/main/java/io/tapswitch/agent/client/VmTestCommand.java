package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tapswitch.agent.check.CheckResult;
import io.tapswitch.agent.check.JunitReport;
import io.tapswitch.agent.vm.ConsoleLog;
import io.tapswitch.agent.vm.LabFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * {@code tapswitch vm test LAB.yaml}: proves what a lab file's {@code checks:} state, the way a CI
 * job wants it in one command. The lab is brought up through the API unless it is up already, the
 * guests are waited for, the agent runs the checks ({@code POST /api/v1/labs/NAME/test}, with this
 * file's checks), a table is printed and optionally JUnit XML written; the exit status is 1 when a
 * check did not pass. Afterwards the lab goes down, unless {@code --keep}: a test leaves nothing
 * running behind it, whoever brought the lab up.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Bring the lab up if it is not, run the checks of its lab file in the guests, print the results "
                + "(and write JUnit XML), then bring the lab down unless --keep. Exits 1 if a check did not pass.")
final class VmTestCommand extends VmCommand.Leaf {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Parameters(paramLabel = "LAB.yaml", description = "Lab file with a checks: section (see vm-configs/README.md).")
    Path file;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write the results as JUnit XML to FILE.")
    Path junit;

    @Option(names = "--keep", description = "Leave the lab up afterwards.")
    boolean keep;

    @Option(names = "--timeout", defaultValue = "180", description = "Seconds to wait for the guests to boot (default ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--check-timeout", defaultValue = "1800",
            description = "Seconds the whole run of the checks may take (default ${DEFAULT-VALUE}).")
    int checkTimeout;

    @Override
    int run(ApiClient api, PrintStream out) throws Exception {
        Path abs = file.toAbsolutePath().normalize();
        LabFile lab = LabFile.load(abs);
        if (lab.checks().isEmpty()) {
            out.println("lab " + lab.name() + " has no checks: nothing to test");
            return 0;
        }
        boolean up = false;
        for (JsonNode v : api.get("/vms").path("vms")) {
            up |= v.path("lab").asText().equals(lab.name());
        }
        boolean started = up;
        try {
            if (!up) {
                long start = System.nanoTime();
                JsonNode vms = api.post("/labs", Map.of("file", abs.toString()));
                started = true;
                for (JsonNode v : vms.path("vms")) {
                    Path log = Path.of(v.path("consoleLog").asText());
                    long left = Duration.ofSeconds(timeout).toNanos() - (System.nanoTime() - start);
                    try {
                        ConsoleLog.waitFor(log, VmCommand.READY, Duration.ofNanos(Math.max(1, left)));
                    } catch (TimeoutException e) {
                        System.err.printf("error: %s did not report TS-READY within %d s; see %s%n",
                                v.path("name").asText(), timeout, log);
                        return 1;
                    }
                }
                out.printf("lab %s up, %d guests ready after %.1f s%n", lab.name(), vms.path("vms").size(),
                        (System.nanoTime() - start) / 1e9);
            } else {
                out.println("lab " + lab.name() + " is up already");
            }
            out.println("running " + lab.checks().size() + " checks ...");
            JsonNode report = api.post("/labs/" + ApiClient.segment(lab.name()) + "/test", Map.of("file", abs.toString()),
                    Duration.ofSeconds(checkTimeout));
            List<CheckResult> results = new ArrayList<>();
            for (JsonNode r : report.path("results")) {
                results.add(JSON.treeToValue(r, CheckResult.class));
            }
            print(results, report.path("durationMillis").asLong(), out);
            if (junit != null) {
                JunitReport.write(junit, lab.name(), results);
                out.println("JUnit XML: " + junit);
            }
            return results.stream().allMatch(r -> r.status() == CheckResult.Status.PASS) ? 0 : 1;
        } finally {
            if (!keep && started) {
                try {
                    api.delete("/labs/" + ApiClient.segment(lab.name()), null);
                    out.println("lab " + lab.name() + " is down (--keep leaves it up)");
                } catch (CtlException e) {
                    System.err.println("error: cannot bring lab " + lab.name() + " down: " + e.getMessage());
                }
            }
        }
    }

    /** The results table and a summary line. */
    static void print(List<CheckResult> results, long millis, PrintStream out) {
        Table t = new Table("CHECK", "KIND", "RESULT", "TIME", "EVIDENCE");
        for (CheckResult r : results) {
            t.row(r.name(), r.kind(), r.status(), String.format(Locale.ROOT, "%.1fs", r.durationMillis() / 1000.0), r.evidence());
        }
        t.print(out);
        long passed = results.stream().filter(r -> r.status() == CheckResult.Status.PASS).count();
        long failed = results.stream().filter(r -> r.status() == CheckResult.Status.FAIL).count();
        out.printf(Locale.ROOT, "%d passed, %d failed, %d errors in %.1f s%n", passed, failed,
                results.size() - passed - failed, millis / 1000.0);
    }
}
