package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code ctl stats}: port counters with drops by reason, and the MAC table's counters. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Show port and MAC table counters.")
final class StatsCommand extends CtlLeaf {
    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        JsonNode res = api.get("/stats");
        if (json) {
            return res;
        }
        Table t = new Table("PORT", "RX-PKTS", "RX-BYTES", "TX-PKTS", "TX-BYTES", "RX-ERR", "TX-ERR", "DROPS", "DROP REASONS");
        for (JsonNode p : res.path("ports")) {
            List<String> reasons = new ArrayList<>();
            p.path("decisions").fields().forEachRemaining(e -> {
                if (e.getKey().startsWith("DROP_")) {
                    reasons.add(e.getKey().substring(5).toLowerCase(java.util.Locale.ROOT) + "=" + e.getValue().asText());
                }
            });
            t.row(text(p, "name"), text(p, "rxPackets"), text(p, "rxBytes"), text(p, "txPackets"), text(p, "txBytes"),
                    text(p, "rxErrors"), text(p, "txErrors"), text(p, "drops"), String.join(" ", reasons));
        }
        t.print(out);
        JsonNode f = res.path("fdb");
        out.println();
        new Table("FDB", "ENTRIES", "CAPACITY", "LEARNED", "MOVED", "EXPIRED", "EVICTED")
                .row("", text(f, "entries"), text(f, "capacity"), text(f, "learned"), text(f, "moved"),
                        text(f, "expired"), text(f, "evicted"))
                .print(out);
        return null;
    }
}
