package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/** {@code ctl auto-attach}: the rules that make interfaces ports as they appear, in the order they are tried. */
@Command(name = "auto-attach", mixinStandardHelpOptions = true,
        description = "Show the auto-attach rules: interfaces whose names match become ports while they exist.")
final class AutoAttachCommand extends CtlLeaf {
    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        JsonNode res = api.get("/auto-attach");
        if (json) {
            return res;
        }
        Table t = new Table("MATCH", "VLAN");
        for (JsonNode r : res.path("rules")) {
            t.row(text(r, "match"), r.has("vlan") ? vlanSummary(r.path("vlan")) : "trunk (default)");
        }
        t.print(out);
        return null;
    }
}
