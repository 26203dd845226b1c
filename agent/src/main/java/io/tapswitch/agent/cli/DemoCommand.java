package io.tapswitch.agent.cli;

import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.demo.DemoLab;
import io.tapswitch.agent.event.Events;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code tapswitch demo}: a ready lab of namespace hosts on switch TAP ports. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Bring up a lab of hosts (network namespaces), and with --vms two QEMU guests, on the switch; "
                + "Ctrl-C tears it down. The only command that needs root.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--hosts", defaultValue = "3", description = "Number of hosts (1-9, default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--http-port", defaultValue = "" + HttpSpec.DEFAULT_PORT,
            description = "Port of the control API on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 = any free port).")
    int httpPort;

    @Option(names = "--vms", description = "Also boot the two QEMU guests of vm-configs/two-vms.yaml on the switch.")
    boolean vms;

    /** Whether this process runs as root: the owner of {@code /proc/self} is its effective uid. */
    private static boolean isRoot() throws java.io.IOException {
        return Integer.valueOf(0).equals(java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid"));
    }

    @Override
    public Integer call() throws Exception {
        if (hosts < 1 || hosts > 9) {
            System.err.println("error: --hosts must be between 1 and 9");
            return 2;
        }
        if (!isRoot()) {
            System.err.println("error: the demo needs root: it creates network namespaces for its hosts and moves"
                    + " interfaces into them (CAP_SYS_ADMIN and more); run it with sudo. Everything else (run, ctl, vm)"
                    + " works with CAP_NET_ADMIN and CAP_NET_RAW alone, see docs/privileges.md");
            return 1;
        }
        Shutdown shutdown = new Shutdown();
        DemoLab lab;
        try {
            lab = DemoLab.start(hosts, HttpSpec.DEFAULT.withPort(httpPort));
        } catch (Exception e) {
            System.err.println("error: cannot start the demo lab: " + e.getMessage());
            shutdown.cleaned();
            return 1;
        }
        try {
            if (vms) {
                String home = System.getenv().getOrDefault("TAPSWITCH_HOME", ".");
                try {
                    lab.startVms(java.nio.file.Path.of(home), System.out);
                } catch (Exception e) {
                    System.err.println("error: cannot start the demo VMs: " + e.getMessage());
                    return 1;
                }
            }
            lab.agent().vertx().eventBus().<JsonObject>localConsumer(Events.FDB, m ->
                    System.out.println("fdb: " + m.body().getString("event").toLowerCase() + " " + m.body().getString("mac")
                            + " on " + m.body().getString("port") + " (vlan " + m.body().getInteger("vlan") + ")"));
            lab.printInstructions(System.out);
            shutdown.await();
        } finally {
            System.out.println("stopping: removing hosts and ports");
            lab.close();
            shutdown.cleaned();
        }
        return 0;
    }
}
