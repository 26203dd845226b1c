package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ctl fdb [--vlan N] [--port P] [--mac M]}, {@code fdb flush}, {@code fdb static add|del}. */
@Command(name = "fdb", mixinStandardHelpOptions = true, description = "List the MAC table (filters combine).",
        subcommands = {FdbCommand.Flush.class, FdbCommand.StaticAdd.class, FdbCommand.StaticDel.class})
final class FdbCommand extends CtlLeaf {
    @Option(names = "--vlan", description = "Only this VLAN.")
    Integer vlan;
    @Option(names = "--port", description = "Only this port.")
    String port;
    @Option(names = "--mac", description = "Only this MAC.")
    String mac;

    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        JsonNode res = api.get("/fdb", ApiClient.query("port", port, "vlan", vlan == null ? null : vlan.toString(), "mac", mac));
        if (json) {
            return res;
        }
        Table t = new Table("VLAN", "MAC", "PORT", "AGE", "TYPE");
        for (JsonNode e : res.path("entries")) {
            boolean pinned = e.path("static").asBoolean();
            t.row(text(e, "vlan"), text(e, "mac"), text(e, "port"), pinned ? "" : text(e, "ageSeconds"),
                    pinned ? "static" : "learned");
        }
        t.print(out);
        return null;
    }

    @Command(name = "flush", mixinStandardHelpOptions = true, description = "Forget learned entries (static ones stay).")
    static final class Flush extends CtlLeaf {
        @Option(names = "--vlan", description = "Only this VLAN.")
        Integer vlan;
        @Option(names = "--port", description = "Only this port.")
        String port;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            JsonNode res = api.delete("/fdb", ApiClient.query("port", port, "vlan", vlan == null ? null : vlan.toString()));
            if (json) {
                return res;
            }
            out.println("flushed " + text(res, "flushed") + " entries");
            return null;
        }
    }

    @Command(name = "add-static", mixinStandardHelpOptions = true, description = "Pin a MAC to a port.")
    static final class StaticAdd extends CtlLeaf {
        @Parameters(index = "0", paramLabel = "MAC")
        String mac;
        @Option(names = "--port", required = true)
        String port;
        @Option(names = "--vlan", defaultValue = "0", description = "VLAN (default ${DEFAULT-VALUE}).")
        int vlan;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("mac", mac);
            body.put("vlan", vlan);
            body.put("port", port);
            JsonNode res = api.post("/fdb/static", body);
            if (json) {
                return res;
            }
            out.println("static " + text(res, "mac") + " vlan " + text(res, "vlan") + " -> " + text(res, "port"));
            return null;
        }
    }

    @Command(name = "del-static", mixinStandardHelpOptions = true, description = "Remove a static entry.")
    static final class StaticDel extends CtlLeaf {
        @Parameters(index = "0", paramLabel = "MAC")
        String mac;
        @Option(names = "--vlan", defaultValue = "0", description = "VLAN (default ${DEFAULT-VALUE}).")
        int vlan;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            api.delete("/fdb/static/" + vlan + "/" + ApiClient.segment(mac), null);
            if (json) {
                return JsonNodeFactory.instance.objectNode().put("removed", mac).put("vlan", vlan);
            }
            out.println("static " + mac + " vlan " + vlan + " removed");
            return null;
        }
    }
}
