package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ctl port impair NAME ...}: sets or clears a port's link impairment. One direction named
 * ({@code --egress}, {@code --ingress}) is set and the other kept as it is; neither named sets both
 * to the same settings. A setting left out is zero (none).
 */
@Command(name = "impair", mixinStandardHelpOptions = true,
        description = {"Impair a port's link (done by the switch itself, no netem needed):",
                "  port impair NAME --egress --delay 20 --jitter 2 --loss 10",
                "  port impair NAME --ingress --rate 10000",
                "  port impair NAME --duplicate 1 --reorder 5 --delay 10   (both directions)",
                "  port impair NAME [--egress|--ingress] --clear",
                "egress: frames the switch sends out of the port; ingress: frames it receives from it."})
final class PortImpairCommand extends CtlLeaf {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @ArgGroup(exclusive = true)
    Which which;

    static final class Which {
        @Option(names = "--egress", description = "Only frames the switch sends out of the port.")
        boolean egress;
        @Option(names = "--ingress", description = "Only frames the switch receives from the port.")
        boolean ingress;
    }

    @Option(names = "--delay", paramLabel = "MS", description = "Added one-way delay, 0 to 10000 ms.")
    Double delay;
    @Option(names = "--jitter", paramLabel = "MS", description = "Delay variation, up to the delay.")
    Double jitter;
    @Option(names = "--loss", paramLabel = "PERCENT", description = "Share of frames lost.")
    Double loss;
    @Option(names = "--duplicate", paramLabel = "PERCENT", description = "Share of frames sent twice.")
    Double duplicate;
    @Option(names = "--reorder", paramLabel = "PERCENT", description = "Share of frames that skip the delay.")
    Double reorder;
    @Option(names = "--rate", paramLabel = "KBIT", description = "Rate limit in kbit/s (8 to 100000000).")
    Long rate;
    @Option(names = "--clear", description = "Remove the impairment (of the named direction, or both).")
    boolean clear;

    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        String path = "/ports/" + ApiClient.segment(name);
        boolean egress = which == null || which.egress;
        boolean ingress = which == null || which.ingress;
        Map<String, Object> settings = clear ? null : settings();
        if (settings != null && settings.isEmpty()) {
            throw new CtlException("port impair NAME needs a setting (--delay, --jitter, --loss, --duplicate, --reorder,"
                    + " --rate) or --clear");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        JsonNode current = which == null ? null : api.get(path).path("impair");
        put(body, "egress", egress ? settings : current == null ? null : current.get("egress"));
        put(body, "ingress", ingress ? settings : current == null ? null : current.get("ingress"));
        JsonNode p = api.put(path + "/impair", body);
        if (json) {
            return p;
        }
        PortCommand.printPort(p, out);
        return null;
    }

    private static void put(Map<String, Object> body, String direction, Object value) {
        if (value != null) {
            body.put(direction, value);
        }
    }

    private Map<String, Object> settings() {
        Map<String, Object> v = new LinkedHashMap<>();
        putIf(v, "delayMs", delay);
        putIf(v, "jitterMs", jitter);
        putIf(v, "lossPercent", loss);
        putIf(v, "duplicatePercent", duplicate);
        putIf(v, "reorderPercent", reorder);
        putIf(v, "rateKbit", rate);
        return v;
    }

    private static void putIf(Map<String, Object> v, String key, Object value) {
        if (value != null) {
            v.put(key, value);
        }
    }

    /** One line for a port's {@code impair} view: each direction's settings, or "off". */
    static String summary(JsonNode impair) {
        if (impair == null || impair.isMissingNode() || impair.isNull()) {
            return "off";
        }
        return "egress " + direction(impair.path("egress")) + "; ingress " + direction(impair.path("ingress"));
    }

    private static String direction(JsonNode d) {
        if (d.isMissingNode() || d.isNull() || d.isEmpty()) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        appendIf(s, d, "delayMs", "delay ", " ms");
        appendIf(s, d, "jitterMs", "jitter ", " ms");
        appendIf(s, d, "lossPercent", "loss ", " %");
        appendIf(s, d, "duplicatePercent", "duplicate ", " %");
        appendIf(s, d, "reorderPercent", "reorder ", " %");
        appendIf(s, d, "rateKbit", "rate ", " kbit/s");
        return s.toString();
    }

    private static void appendIf(StringBuilder s, JsonNode d, String field, String label, String unit) {
        if (d.has(field)) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(label).append(d.get(field).asText()).append(unit);
        }
    }
}
