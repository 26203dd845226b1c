package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ctl mirror list|add|del}: port mirrors (SPAN to a port, RSPAN into a VLAN). */
@Command(name = "mirror", mixinStandardHelpOptions = true, description = "List, add or remove port mirrors.",
        subcommands = {MirrorCommand.ListMirrors.class, MirrorCommand.Add.class, MirrorCommand.Del.class})
final class MirrorCommand {
    private MirrorCommand() {
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List mirrors with their counters.")
    static final class ListMirrors extends CtlLeaf {
        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            JsonNode res = api.get("/mirrors");
            if (json) {
                return res;
            }
            Table t = new Table("NAME", "SELECT", "OUTPUT", "SNAPLEN", "COPIED", "FAILED");
            for (JsonNode m : res.path("mirrors")) {
                JsonNode c = m.path("config");
                String output = c.has("outputPort") ? text(c, "outputPort") : "vlan " + text(c, "outputVlan");
                t.row(text(c, "name"), select(c), output, c.path("snaplen").asInt(0) == 0 ? "all" : text(c, "snaplen"),
                        text(m.path("stats"), "copied"), text(m.path("stats"), "failed"));
            }
            t.print(out);
            return null;
        }

        private static String select(JsonNode c) {
            if (c.path("all").asBoolean()) {
                return "all";
            }
            List<String> parts = new ArrayList<>();
            if (!c.path("srcPorts").isEmpty()) {
                parts.add("src=" + list(c.path("srcPorts")));
            }
            if (!c.path("dstPorts").isEmpty()) {
                parts.add("dst=" + list(c.path("dstPorts")));
            }
            if (!text(c, "vlans").isEmpty()) {
                parts.add("vlans=" + text(c, "vlans"));
            }
            return String.join(" ", parts);
        }

        private static String list(JsonNode a) {
            List<String> s = new ArrayList<>();
            a.forEach(n -> s.add(n.asText()));
            return String.join(",", s);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a mirror, for example:",
                    "  mirror add m1 --src vm1 --output-port tap9",
                    "  mirror add m2 --vlans 10,20 --output-vlan 999"})
    static final class Add extends CtlLeaf {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "--src", split = ",", description = "Mirror frames entering these ports.")
        List<String> src = new ArrayList<>();
        @Option(names = "--dst", split = ",", description = "Mirror frames leaving these ports.")
        List<String> dst = new ArrayList<>();
        @Option(names = "--vlans", description = "Mirror frames in these VLANs (like 10,20-29).")
        String vlans;
        @Option(names = "--all", description = "Mirror everything.")
        boolean all;
        @Option(names = "--output-port", description = "SPAN: send copies to this port.")
        String outputPort;
        @Option(names = "--output-vlan", description = "RSPAN: flood copies into this VLAN.")
        Integer outputVlan;
        @Option(names = "--snaplen", description = "Bytes of each copy to keep (default: whole frame).")
        Integer snaplen;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("srcPorts", src);
            body.put("dstPorts", dst);
            if (vlans != null) {
                body.put("vlans", vlans);
            }
            body.put("all", all);
            if (outputPort != null) {
                body.put("outputPort", outputPort);
            }
            if (outputVlan != null) {
                body.put("outputVlan", outputVlan);
            }
            if (snaplen != null) {
                body.put("snaplen", snaplen);
            }
            JsonNode res = api.post("/mirrors", body);
            if (json) {
                return res;
            }
            out.println("mirror " + name + " added");
            return null;
        }
    }

    @Command(name = "del", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove a mirror.")
    static final class Del extends CtlLeaf {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            api.delete("/mirrors/" + ApiClient.segment(name), null);
            if (json) {
                return JsonNodeFactory.instance.objectNode().put("removed", name);
            }
            out.println("mirror " + name + " removed");
            return null;
        }
    }
}
