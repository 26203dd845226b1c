package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.Map;

/**
 * {@code tapswitch vm start|stop|restart LAB VM} and {@code tapswitch vm link LAB VM NIC up|down}:
 * one VM of a lab that is up, through the agent's API, so they work against a remote agent too.
 */
final class VmControlCommands {
    private VmControlCommands() {
    }

    /** The part the three lifecycle commands share: which VM, and the action's API path. */
    abstract static class Lifecycle extends VmCommand.Leaf {
        @Parameters(index = "0", paramLabel = "LAB", description = "The lab's name (see: tapswitch vm list).")
        String lab;

        @Parameters(index = "1", paramLabel = "VM", description = "The VM's name in the lab file.")
        String vm;

        abstract String action();

        @Override
        int run(ApiClient api, PrintStream out) {
            JsonNode v = api.post(path(lab, vm) + "/" + action(), Map.of());
            out.printf("%s of lab %s: %s (pid %s)%n", v.path("name").asText(), v.path("lab").asText(),
                    v.path("state").asText(), v.path("pid").asText());
            return 0;
        }
    }

    static String path(String lab, String vm) {
        return "/labs/" + ApiClient.segment(lab) + "/vms/" + ApiClient.segment(vm);
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Boot a stopped VM of a lab again, on the same TAPs and switch ports.")
    static final class Start extends Lifecycle {
        @Override
        String action() {
            return "start";
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop one VM of a lab (ACPI power-down, then QEMU quit, SIGTERM, SIGKILL); its switch ports "
                    + "stay, without carrier, and it is listed as STOPPED until 'vm start'.")
    static final class Stop extends Lifecycle {
        @Override
        String action() {
            return "stop";
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Stop and start one VM of a lab.")
    static final class Restart extends Lifecycle {
        @Override
        String action() {
            return "restart";
        }
    }

    @Command(name = "link", mixinStandardHelpOptions = true,
            description = "Take one NIC of a VM down or up: its switch port goes administratively down/up and the "
                    + "guest sees carrier loss (NO-CARRIER) through QEMU.")
    static final class Link extends VmCommand.Leaf {
        @Parameters(index = "0", paramLabel = "LAB")
        String lab;

        @Parameters(index = "1", paramLabel = "VM")
        String vm;

        @Parameters(index = "2", paramLabel = "NIC", description = "eth0, eth1, ... (the VM's NICs in lab file order).")
        String nic;

        @Parameters(index = "3", paramLabel = "up|down")
        String state;

        @Override
        int run(ApiClient api, PrintStream out) {
            if (!state.equals("up") && !state.equals("down")) {
                throw new IllegalArgumentException("the link state must be 'up' or 'down', not '" + state + "'");
            }
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("up", state.equals("up"));
            JsonNode v = api.put(path(lab, vm) + "/nics/" + ApiClient.segment(nic) + "/link", body);
            out.printf("%s %s (port %s): link %s%s%n", v.path("vm").asText(), v.path("nic").asText(),
                    v.path("port").asText(), v.path("up").asBoolean() ? "up" : "down",
                    v.path("guestNotified").asBoolean() ? "" : " (switch port only: the guest is not running)");
            return 0;
        }
    }
}
