package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/** {@code ctl switch}: name, revision, table size, aging, counts. */
@Command(name = "switch", mixinStandardHelpOptions = true, description = "Show the switch: name, revision, MAC table, counts.")
final class SwitchInfoCommand extends CtlLeaf {
    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        JsonNode s = api.get("/switch");
        if (json) {
            return s;
        }
        JsonNode fdb = s.path("fdb");
        Table t = new Table("FIELD", "VALUE");
        t.row("name", text(s, "name"));
        t.row("revision", text(s, "revision"));
        t.row("ports", text(s, "ports"));
        t.row("mirrors", text(s, "mirrors"));
        t.row("static MACs", text(s, "staticMacs"));
        t.row("MAC table", text(fdb, "entries") + " / " + text(fdb, "capacity"));
        t.row("aging", text(s, "agingSeconds") + " s");
        t.row("config file", text(s, "configFile"));
        t.print(out);
        return null;
    }
}
