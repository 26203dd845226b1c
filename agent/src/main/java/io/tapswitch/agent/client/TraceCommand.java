package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ctl trace --in P --src MAC --dst MAC [--vlan N]}: where a frame would go, and why. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Show where a frame would go and why, without sending anything.")
final class TraceCommand extends CtlLeaf {
    @Option(names = "--in", required = true, description = "Ingress port.")
    String in;
    @Option(names = "--src", required = true, description = "Source MAC.")
    String src;
    @Option(names = "--dst", required = true, description = "Destination MAC.")
    String dst;
    @Option(names = "--vlan", description = "Put an 802.1Q tag with this VLAN ID on the frame.")
    Integer vlan;
    @Option(names = "--pcp", description = "Priority of that tag.")
    Integer pcp;
    @Option(names = "--ethertype", description = "Ethertype, like 0x86dd (default 0x0800).")
    String ethertype;

    @Override
    JsonNode run(ApiClient api, boolean json, PrintStream out) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("inPort", in);
        body.put("src", src);
        body.put("dst", dst);
        if (vlan != null) {
            body.put("vlan", vlan);
        }
        if (pcp != null) {
            body.put("pcp", pcp);
        }
        if (ethertype != null) {
            try {
                body.put("ethertype", Integer.decode(ethertype));
            } catch (NumberFormatException e) {
                throw new CtlException("--ethertype: '" + ethertype + "' is not a number like 0x86dd");
            }
        }
        JsonNode res = api.post("/trace", body);
        if (json) {
            return res;
        }
        int i = 1;
        for (JsonNode step : res.path("steps")) {
            out.printf("%2d. %s%n", i++, step.asText());
        }
        List<String> egress = new ArrayList<>();
        res.path("egress").forEach(e -> egress.add(e.asText()));
        out.println();
        out.println("verdict: " + text(res, "verdict") + " (" + text(res, "description") + ")");
        out.println("egress:  " + (egress.isEmpty() ? "none" : String.join(", ", egress)) + "  (vlan " + text(res, "vlan") + ")");
        return null;
    }
}
