package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.vm.ConsoleLog;
import io.tapswitch.agent.vm.ConsolePaths;
import io.tapswitch.agent.vm.GuestConsole;
import io.tapswitch.agent.vm.InvalidLabException;
import io.tapswitch.agent.vm.LabFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * {@code tapswitch vm}: QEMU labs on a running agent. The agent does the work (TAPs, ports, QEMU),
 * so the console and the API see the same VMs the command started; this side only reads the lab
 * file's name, waits on serial logs and talks to guest consoles, which are local files.
 */
@Command(name = "vm", mixinStandardHelpOptions = true,
        description = "Bring QEMU VM labs up and down on a running agent, list them, run commands in guests.",
        subcommands = {VmCommand.Up.class, VmCommand.Down.class, VmCommand.ListVms.class, VmCommand.Exec.class,
                VmControlCommands.Start.class, VmControlCommands.Stop.class, VmControlCommands.Restart.class,
                VmControlCommands.Link.class, VmConsoleCommand.class, VmTestCommand.class})
public final class VmCommand implements Runnable {
    @Option(names = "--url", defaultValue = ApiClient.DEFAULT_URL, scope = ScopeType.INHERIT,
            description = "Agent URL (default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${env:" + CtlCommand.TOKEN_ENV + "}", scope = ScopeType.INHERIT,
            description = "Bearer token, when the agent requires one (default: $" + CtlCommand.TOKEN_ENV + ").")
    String token;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The guest's init prints this once its NICs are configured (see vm-configs/guest/init). */
    static final Pattern READY = Pattern.compile("TS-READY");

    /** Shared by the subcommands: the API client and failures printed as one message, exit status 1. */
    abstract static class Leaf implements Callable<Integer> {
        @CommandLine.ParentCommand
        VmCommand parent;

        abstract int run(ApiClient api, PrintStream out) throws Exception;

        @Override
        public final Integer call() throws Exception {
            try {
                int rc = run(new ApiClient(parent.url, parent.token), System.out);
                System.out.flush();
                return rc;
            } catch (CtlException | InvalidLabException | IllegalArgumentException e) {
                System.err.println("error: " + e.getMessage());
                return 1;
            }
        }
    }

    static void printVms(JsonNode vms, PrintStream out) {
        Table t = new Table("LAB", "VM", "HOST", "PID", "STATE", "PORTS", "SERIAL LOG");
        for (JsonNode v : vms.path("vms")) {
            StringBuilder ports = new StringBuilder();
            v.path("ports").forEach(p -> ports.append(ports.length() == 0 ? "" : ",").append(p.asText()));
            t.row(v.path("lab").asText(), v.path("name").asText(), v.path("host").asText(""), v.path("pid").asText(), v.path("state").asText(),
                    ports, v.path("consoleLog").asText());
        }
        t.print(out);
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Create the lab's TAPs, attach them to the switch as netdev ports, start the guests, "
                    + "and wait until each guest's network is up.")
    static final class Up extends Leaf {
        @Parameters(paramLabel = "LAB.yaml", description = "Lab file (see vm-configs/README.md).")
        Path file;

        @Option(names = "--no-wait", description = "Return as soon as QEMU runs instead of waiting for the guests.")
        boolean noWait;

        @Option(names = "--timeout", defaultValue = "180", description = "Seconds to wait for the guests (default ${DEFAULT-VALUE}).")
        int timeout;

        @Override
        int run(ApiClient api, PrintStream out) throws Exception {
            long start = System.nanoTime();
            JsonNode vms = api.post("/labs", Map.of("file", file.toAbsolutePath().normalize().toString()));
            printVms(vms, out);
            if (noWait) {
                return 0;
            }
            for (JsonNode v : vms.path("vms")) {
                String name = v.path("name").asText();
                Path log = Path.of(v.path("consoleLog").asText());
                if (!Files.exists(log) && !v.path("host").asText("").isEmpty()) {
                    // A VM of a lab across hosts whose serial log is on the other host's file system.
                    out.printf("%s: runs on host %s; not waited for (its serial log %s is there)%n",
                            name, v.path("host").asText(), log);
                    continue;
                }
                long left = Duration.ofSeconds(timeout).toNanos() - (System.nanoTime() - start);
                try {
                    ConsoleLog.waitFor(log, READY, Duration.ofNanos(Math.max(1, left)));
                    out.printf("%s: network up after %.1f s%n", name, (System.nanoTime() - start) / 1e9);
                } catch (TimeoutException e) {
                    System.err.printf("error: %s did not report TS-READY within %d s; see %s%n", name, timeout, log);
                    return 1;
                }
            }
            out.println();
            JsonNode first = vms.path("vms").path(0);
            out.println("Try: tapswitch vm exec " + first.path("lab").asText() + " " + first.path("name").asText() + " ping -c 3 ADDRESS");
            out.println("     tapswitch vm down " + file);
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop the lab's guests and remove its ports, mirrors and TAPs.")
    static final class Down extends Leaf {
        @Parameters(paramLabel = "LAB.yaml|LAB", description = "Lab file, or the lab's name.")
        String lab;

        @Override
        int run(ApiClient api, PrintStream out) {
            Path path = Path.of(lab);
            String name = Files.isRegularFile(path) ? LabFile.load(path.toAbsolutePath()).name() : lab;
            JsonNode report = api.delete("/labs/" + ApiClient.segment(name), null);
            JsonNode unreachable = report == null ? null : report.path("unreachable");
            if (unreachable != null && unreachable.size() > 0) {
                out.println("lab " + name + " is down on this host, but hosts " + unreachable
                        + " did not answer and may still run VMs of it");
                return 1;
            }
            out.println("lab " + name + " is down");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the VMs of the labs that are up.")
    static final class ListVms extends Leaf {
        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        @Override
        int run(ApiClient api, PrintStream out) {
            JsonNode vms = api.get("/vms");
            if (json) {
                out.println(ApiClient.pretty(vms));
            } else {
                printVms(vms, out);
            }
            return 0;
        }
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = "Run a shell command in a guest over its serial console and print its output; "
                    + "exits with the command's status.")
    static final class Exec extends Leaf {
        @Parameters(index = "0", paramLabel = "LAB")
        String lab;

        @Parameters(index = "1", paramLabel = "VM")
        String vm;

        @Parameters(index = "2..*", arity = "1..*", paramLabel = "COMMAND")
        List<String> command;

        @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for the command (default ${DEFAULT-VALUE}).")
        int timeout;

        @Override
        int run(ApiClient api, PrintStream out) throws Exception {
            JsonNode found = null;
            for (JsonNode v : api.get("/vms").path("vms")) {
                if (v.path("lab").asText().equals(lab) && v.path("name").asText().equals(vm)) {
                    found = v;
                }
            }
            if (found == null) {
                throw new CtlException("no VM " + vm + " in a lab named " + lab + " is up (see: tapswitch vm list)");
            }
            Path log = Path.of(found.path("consoleLog").asText());
            ConsolePaths paths = ConsolePaths.in(log.getParent(), vm);
            try (GuestConsole console = GuestConsole.connect(paths.socket(), "vm exec", Duration.ofSeconds(2))) {
                GuestConsole.Result r = console.exec(String.join(" ", command), Duration.ofSeconds(timeout));
                out.print(r.output());
                return r.exitCode();
            } catch (TimeoutException e) {
                throw new CtlException(vm + " did not finish within " + timeout + " s");
            } catch (io.tapswitch.agent.vm.ConsoleLock.BusyException e) {
                throw new CtlException(e.getMessage());
            }
        }
    }
}
