package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code ctl vlans}: VLAN membership, computed by the agent from the ports' settings. */
@Command(name = "vlans", mixinStandardHelpOptions = true, description = "Show which ports carry which VLANs.")
final class VlansCommand extends CtlLeaf {
    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        JsonNode res = api.get("/vlans");
        if (json) {
            return res;
        }
        Table t = new Table("VLAN", "UNTAGGED", "TAGGED");
        for (JsonNode v : res.path("vlans")) {
            t.row(text(v, "vlan"), join(v.path("untagged")), join(v.path("tagged")));
        }
        t.print(out);
        String all = join(res.path("allVlans"));
        if (!all.isEmpty()) {
            out.println("trunks of all VLANs: " + all);
        }
        return null;
    }

    private static String join(JsonNode names) {
        List<String> list = new ArrayList<>();
        names.forEach(n -> list.add(n.asText()));
        return String.join(",", list);
    }
}
