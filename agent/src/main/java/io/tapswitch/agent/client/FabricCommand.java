package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/** {@code ctl fabric}: every host of the fabric, as the agent asked knows and reaches them. */
@Command(name = "fabric", mixinStandardHelpOptions = true,
        description = "Show the hosts of the fabric: cluster state, tunnel health, VTEP, VLANs and tunnel counters.")
final class FabricCommand extends CtlLeaf {
    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        JsonNode res = api.get("/fabric");
        if (json) {
            return res;
        }
        if (!res.path("clustered").asBoolean()) {
            out.println("this agent runs alone (no cluster section)");
        }
        Table t = new Table("HOST", "STATE", "CLUSTER", "TUNNEL", "RTT", "VTEP", "VLANS", "PORT", "RX", "TX");
        for (JsonNode h : res.path("hosts")) {
            boolean self = h.path("self").asBoolean();
            JsonNode c = h.path("counters");
            t.row(text(h, "host") + (self ? " (this)" : ""), text(h, "state"),
                    self ? "-" : h.path("member").asBoolean() ? "member" : "lost",
                    self ? "-" : text(h, "tunnel"),
                    self || h.path("rttMicros").asLong() == 0 ? "-" : h.path("rttMicros").asLong() + " us",
                    h.path("vtep").isMissingNode() || h.path("vtep").isNull() ? "-" : text(h, "vtep"),
                    text(h, "vlans"), h.path("port").isNull() || h.path("port").isMissingNode() ? "-" : text(h, "port"),
                    c.isMissingNode() || c.isNull() ? "-" : text(c, "rxPackets"),
                    c.isMissingNode() || c.isNull() ? "-" : text(c, "txPackets"));
        }
        t.print(out);
        JsonNode statics = res.path("staticVteps");
        if (statics.size() > 0) {
            out.println();
            Table s = new Table("STATIC VTEP", "REMOTE", "VLANS", "RX", "TX");
            for (JsonNode v : statics) {
                JsonNode c = v.path("counters");
                s.row(text(v, "port"), text(v, "remote"), text(v, "vlans"),
                        c.isNull() ? "-" : text(c, "rxPackets"), c.isNull() ? "-" : text(c, "txPackets"));
            }
            s.print(out);
        }
        return null;
    }
}
