package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ctl port add|del|set|show|impair}: changes to one port. */
@Command(name = "port", mixinStandardHelpOptions = true, description = "Add, remove, show or change one port.",
        subcommands = {PortCommand.Add.class, PortCommand.Del.class, PortCommand.Show.class, PortCommand.Set.class,
                PortImpairCommand.class})
final class PortCommand {
    private PortCommand() {
    }

    /** VLAN options shared by {@code add} and {@code set ... vlan}. */
    static final class VlanOptions {
        @Option(names = "--mode", description = "access, trunk, native-untagged, native-tagged or dot1q-tunnel.")
        String mode;
        @Option(names = "--tag", description = "Access, native or S-VLAN ID.")
        Integer tag;
        @Option(names = "--trunks", description = "Allowed VLANs, like 10,20-29 (default: all).")
        String trunks;
        @Option(names = "--tpid", description = "S-tag ethertype of a dot1q-tunnel port, like 0x88a8.")
        String tpid;

        Map<String, Object> body() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("mode", mode);
            if (tag != null) {
                v.put("tag", tag);
            }
            if (trunks != null) {
                v.put("trunks", trunks);
            }
            if (tpid != null) {
                try {
                    v.put("tpid", Integer.decode(tpid));
                } catch (NumberFormatException e) {
                    throw new CtlException("--tpid: '" + tpid + "' is not a number like 0x88a8");
                }
            }
            return v;
        }
    }

    /** Port security options of {@code set ... security}. */
    static final class SecurityOptions {
        @Option(names = "--max-macs", description = "Stations the port may learn (0: no limit).")
        Integer maxMacs;
        @Option(names = "--violation", description = "learn-stop (default) or drop: what happens to frames of a station beyond the limit.")
        String violation;

        Map<String, Object> body() {
            Map<String, Object> v = new LinkedHashMap<>();
            if (maxMacs != null) {
                v.put("maxMacs", maxMacs);
            }
            if (violation != null) {
                v.put("violation", violation);
            }
            return v;
        }
    }

    /** Storm control options of {@code set ... storm}; a limit left out is no limit. */
    static final class StormOptions {
        @Option(names = "--broadcast", paramLabel = "PPS", description = "Broadcast frames per second the port may make the switch flood.")
        Integer broadcast;
        @Option(names = "--multicast", paramLabel = "PPS", description = "Multicast frames per second.")
        Integer multicast;
        @Option(names = "--unknown-unicast", paramLabel = "PPS", description = "Unknown-unicast frames per second.")
        Integer unknownUnicast;

        Map<String, Object> body() {
            Map<String, Object> v = new LinkedHashMap<>();
            if (broadcast != null) {
                v.put("broadcastPps", broadcast);
            }
            if (multicast != null) {
                v.put("multicastPps", multicast);
            }
            if (unknownUnicast != null) {
                v.put("unknownUnicastPps", unknownUnicast);
            }
            return v;
        }
    }

    static void printPort(JsonNode p, PrintStream out) {
        Table t = new Table("FIELD", "VALUE");
        t.row("name", text(p, "name"));
        t.row("id", text(p, "id"));
        t.row("kind", text(p, "kind"));
        t.row("admin", p.path("enabled").asBoolean() ? "up" : "down");
        t.row("oper", p.path("operUp").asBoolean() ? "up" : "down");
        t.row("vlan", CtlLeaf.vlanSummary(p.path("vlan")));
        t.row("macs", text(p, "macs"));
        JsonNode sec = p.path("security");
        t.row("security", sec.isMissingNode() ? "off" : "max " + text(sec, "maxMacs") + " MACs, " + text(sec, "violation"));
        JsonNode storm = p.path("storm");
        t.row("storm", storm.isMissingNode() ? "off" : "broadcast " + text(storm, "broadcastPps") + " pps, multicast "
                + text(storm, "multicastPps") + " pps, unknown unicast " + text(storm, "unknownUnicastPps") + " pps");
        t.row("impair", PortImpairCommand.summary(p.path("impair")));
        JsonNode s = p.path("stats");
        t.row("rx", text(s, "rxPackets") + " pkts / " + text(s, "rxBytes") + " bytes");
        t.row("tx", text(s, "txPackets") + " pkts / " + text(s, "txBytes") + " bytes");
        t.row("drops", text(s, "drops"));
        t.print(out);
    }

    private static String text(JsonNode n, String f) {
        return CtlLeaf.text(n, f);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a port (creates or attaches its device).")
    static final class Add extends CtlLeaf {
        @Parameters(index = "0", paramLabel = "NAME", description = "Interface name.")
        String name;
        @Option(names = "--kind", defaultValue = "tap", description = "tap or netdev (default ${DEFAULT-VALUE}).")
        String kind;
        @Option(names = "--create", description = "auto, create or attach (TAP ports; default auto).")
        String create;
        @Option(names = "--persistent", description = "Keep a TAP the switch created after it stops.")
        boolean persistent;
        @Option(names = "--disabled", description = "Add it administratively down.")
        boolean disabled;
        @Option(names = "--transient", description = "Never write it to the agent's config file; it goes when its interface goes"
                + " (for a TAP that QEMU made: see qemu-ifup).")
        boolean transientPort;
        @picocli.CommandLine.ArgGroup(exclusive = false, heading = "VLAN:%n")
        VlanOptions vlan;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("kind", kind);
            if (create != null) {
                body.put("create", create);
            }
            body.put("persistent", persistent);
            body.put("enabled", !disabled);
            if (vlan != null) {
                body.put("vlan", vlan.body());
            }
            JsonNode p = api.post(transientPort ? "/ports?transient=true" : "/ports", body);
            if (json) {
                return p;
            }
            out.println("port " + text(p, "name") + " added as #" + text(p, "id"));
            return null;
        }
    }

    @Command(name = "del", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove a port.")
    static final class Del extends CtlLeaf {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            api.delete("/ports/" + ApiClient.segment(name), null);
            if (!json) {
                out.println("port " + name + " removed");
            }
            return json ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("removed", name) : null;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one port.")
    static final class Show extends CtlLeaf {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            JsonNode p = api.get("/ports/" + ApiClient.segment(name));
            if (json) {
                return p;
            }
            printPort(p, out);
            return null;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Change a port:",
                    "  port set NAME vlan --mode access --tag 10",
                    "  port set NAME vlan --mode trunk --trunks 10,20-29",
                    "  port set NAME admin up|down",
                    "  port set NAME security --max-macs 16 --violation drop",
                    "  port set NAME storm --broadcast 500 --multicast 1000 --unknown-unicast 2000",
                    "  (a limit left out, or 0, means none)"})
    static final class Set extends CtlLeaf {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "WHAT", description = "vlan, admin, security or storm.")
        String what;
        @Parameters(index = "2", arity = "0..1", paramLabel = "STATE", description = "up or down, for admin.")
        String state;
        @picocli.CommandLine.ArgGroup(exclusive = false, heading = "VLAN:%n")
        VlanOptions vlan;
        @picocli.CommandLine.ArgGroup(exclusive = false, heading = "Port security:%n")
        SecurityOptions security;
        @picocli.CommandLine.ArgGroup(exclusive = false, heading = "Storm control:%n")
        StormOptions storm;

        @Override
        JsonNode run(ApiClient api, boolean json, PrintStream out) {
            String path = "/ports/" + ApiClient.segment(name);
            JsonNode p = switch (what) {
                case "vlan" -> {
                    if (vlan == null || vlan.mode == null) {
                        throw new CtlException("port set NAME vlan needs --mode");
                    }
                    yield api.put(path + "/vlan", vlan.body());
                }
                case "admin" -> {
                    if (!"up".equals(state) && !"down".equals(state)) {
                        throw new CtlException("port set NAME admin needs 'up' or 'down'");
                    }
                    yield api.put(path + "/admin", Map.of("enabled", "up".equals(state)));
                }
                case "security" -> api.put(path + "/security", security == null ? Map.of() : security.body());
                case "storm" -> api.put(path + "/storm", storm == null ? Map.of() : storm.body());
                default -> throw new CtlException("unknown setting '" + what + "' (vlan, admin, security or storm)");
            };
            if (json) {
                return p;
            }
            printPort(p, out);
            return null;
        }
    }
}
