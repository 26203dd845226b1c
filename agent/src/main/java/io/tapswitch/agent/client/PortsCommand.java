package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/** {@code ctl ports}: one line per port. */
@Command(name = "ports", mixinStandardHelpOptions = true, description = "List ports with state, VLAN and counters.")
final class PortsCommand extends CtlLeaf {
    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        JsonNode res = api.get("/ports");
        if (json) {
            return res;
        }
        Table t = new Table("NAME", "ID", "KIND", "ADMIN", "OPER", "VLAN", "MACS", "RX-PKTS", "TX-PKTS", "DROPS");
        for (JsonNode p : res.path("ports")) {
            JsonNode stats = p.path("stats");
            t.row(text(p, "name"), text(p, "id"), text(p, "kind"), p.path("enabled").asBoolean() ? "up" : "down",
                    p.path("operUp").asBoolean() ? "up" : "down", vlanSummary(p.path("vlan")), text(p, "macs"),
                    text(stats, "rxPackets"), text(stats, "txPackets"), text(stats, "drops"));
        }
        t.print(out);
        return null;
    }
}
