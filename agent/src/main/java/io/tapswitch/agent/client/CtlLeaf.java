package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * What every {@code ctl} subcommand shares: finding the {@link CtlCommand} it runs under (for the
 * URL, token and {@code --json}), printing JSON or a table, and turning failures into a message on
 * standard error and exit status 1.
 */
abstract class CtlLeaf implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Does the work; prints a table unless {@code json}, in which case it returns the JSON to print. */
    abstract JsonNode run(ApiClient api, boolean json, PrintStream out);

    @Override
    public final Integer call() {
        CtlCommand ctl = ctl();
        PrintStream out = System.out;
        try {
            JsonNode result = run(ctl.client(), ctl.json, out);
            if (ctl.json && result != null) {
                out.println(ApiClient.pretty(result));
            }
            out.flush();
            return 0;
        } catch (CtlException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private CtlCommand ctl() {
        for (CommandLine.Model.CommandSpec s = spec; s != null; s = s.parent()) {
            if (s.userObject() instanceof CtlCommand c) {
                return c;
            }
        }
        throw new IllegalStateException(getClass().getSimpleName() + " must run under 'ctl'");
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    static String vlanSummary(JsonNode vlan) {
        StringBuilder sb = new StringBuilder(text(vlan, "mode"));
        if (vlan.has("tag")) {
            sb.append(' ').append(vlan.get("tag").asText());
        }
        if (vlan.has("trunks")) {
            sb.append(" [").append(vlan.get("trunks").asText()).append(']');
        }
        if (vlan.has("tpid")) {
            sb.append(" tpid 0x").append(Integer.toHexString(vlan.get("tpid").asInt()));
        }
        return sb.toString();
    }
}
