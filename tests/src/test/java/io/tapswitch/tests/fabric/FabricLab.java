package io.tapswitch.tests.fabric;

import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A multi-host fabric on one machine: an underlay bridge in the root namespace (with an address, so
 * that the test reaches every agent's API over the underlay as a remote client would), one network
 * namespace per "host" joined to it by a veth, agents running as separate JVMs inside their hosts'
 * namespaces, and lab hosts (namespaces) behind the agents' ports. Everything is named with the
 * lab's prefix, recorded as it is made, and removed by {@link #close} whatever happened;
 * {@link #leftovers} says what is still there.
 *
 * <pre>
 *   root namespace: bridge PREFIX-ul (NET.254/24, IPv6 off)
 *      ├── PREFIX-uX ══ ul0 in namespace PREFIX-X (NET.n/24): agent X, or the kernel VTEP
 *      └── ...
 * </pre>
 */
final class FabricLab implements AutoCloseable {
    /** The API token of every agent of the lab (an API off loopback requires one). */
    static final String TOKEN = "tsf-fabric-token-0123456789";

    private final String prefix;
    private final String net;
    private final String bridge;
    private final Path dir;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<String> rootLinks = new ArrayList<>();
    private final List<AgentProcess> agents = new ArrayList<>();
    private boolean closed;

    private FabricLab(String prefix, String net, Path dir) {
        this.prefix = prefix;
        this.net = net;
        this.bridge = prefix + "-ul";
        this.dir = dir;
    }

    /**
     * Creates the underlay bridge {@code PREFIX-ul} with address {@code NET.254/24}, after removing
     * whatever a crashed run of the same lab left behind.
     *
     * @param net the underlay's first three octets, like {@code 198.19.77}
     */
    static FabricLab create(String prefix, String net, String... staleNamespaces) throws IOException {
        for (String ns : staleNamespaces) {
            if (Netns.exists(ns)) {
                HostCommand.run(List.of("ip", "netns", "del", ns));
            }
        }
        HostCommand.run(List.of("ip", "link", "del", prefix + "-ul"));
        FabricLab lab = new FabricLab(prefix, net, Files.createTempDirectory(prefix + "-lab"));
        try {
            HostCommand.check("ip", "link", "add", lab.bridge, "type", "bridge");
            lab.rootLinks.add(lab.bridge);
            HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + lab.bridge + ".disable_ipv6=1");
            HostCommand.check("ip", "addr", "add", net + ".254/24", "dev", lab.bridge);
            HostCommand.check("ip", "link", "set", lab.bridge, "up");
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    String prefix() {
        return prefix;
    }

    Path dir() {
        return dir;
    }

    /** The underlay address of host number {@code n}. */
    String underlayAddress(int n) {
        return net + "." + n;
    }

    /** Creates namespace {@code PREFIX-suffix} with IPv6 off (no MLD or router solicitations to skew counts). */
    Netns namespace(String suffix) {
        Netns ns = Netns.create(prefix + "-" + suffix);
        namespaces.add(ns);
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    /**
     * Joins {@code ns} to the underlay: veth {@code PREFIX-uSUFFIX} on the bridge, {@code ul0} inside
     * with address {@code NET.n/24}. Returns the root-side veth's name (where captures of what this
     * host sends and receives are taken).
     */
    String underlay(Netns ns, String suffix, int n) {
        String root = prefix + "-u" + suffix;
        HostCommand.run(List.of("ip", "link", "del", root));
        HostCommand.check("ip", "link", "add", root, "type", "veth", "peer", "name", "ul0", "netns", ns.name());
        rootLinks.add(root);
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + root + ".disable_ipv6=1");
        HostCommand.check("ip", "link", "set", root, "master", bridge, "up");
        ns.exec("ip", "addr", "add", underlayAddress(n) + "/24", "dev", "ul0");
        ns.exec("ip", "link", "set", "ul0", "up");
        return root;
    }

    /**
     * Moves the TAP an agent made in {@code agentNs} into {@code hostNs} and configures it there:
     * the host's traffic then goes to that agent's port as a guest's would (the TAP keeps delivering
     * to the agent that holds its file descriptor), with the TAP's offloads, so the host hands over
     * GSO super-frames.
     */
    void moveTap(Netns agentNs, String tap, Netns hostNs, String mac, String cidr) {
        agentNs.exec("ip", "link", "set", tap, "netns", hostNs.name());
        hostNs.configure(tap, mac, cidr, null);
    }

    /** A veth whose end {@code switchEnd} stays in {@code agentNs} (a netdev port) and whose other end is {@code eth0} of {@code hostNs}. */
    void vethHost(Netns agentNs, String switchEnd, Netns hostNs, String mac, String cidr) {
        agentNs.exec("ip", "link", "add", switchEnd, "type", "veth", "peer", "name", "eth0", "netns", hostNs.name());
        agentNs.exec("sysctl", "-q", "-w", "net.ipv6.conf." + switchEnd + ".disable_ipv6=1");
        agentNs.exec("ip", "link", "set", switchEnd, "up");
        hostNs.configure("eth0", mac, cidr, null);
    }

    /** Writes {@code yaml} as agent {@code id}'s configuration file and returns its path. */
    Path config(String id, String yaml) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** The configuration of an agent of this lab: API on its underlay address with the lab's token, clustered with {@code members}. */
    String agentYaml(String id, int n, String members, String vxlan, String ports) {
        return """
                name: %s-%s
                http: {host: %s, port: 18080, token: "%s"}
                cluster: {hostId: %s, address: %s, members: [%s]}
                %s
                ports:
                %s
                """.formatted(prefix, id, underlayAddress(n), TOKEN, id, underlayAddress(n), members, vxlan, ports);
    }

    /** Starts agent {@code id} from {@code config} inside {@code ns}; each start gets a log file of its own. */
    AgentProcess startAgent(String id, Netns ns, Path config) throws IOException {
        long earlier = agents.stream().filter(a -> a.name().equals(id)).count();
        AgentProcess a = AgentProcess.start(id, ns, config, dir.resolve(id + "-" + (earlier + 1) + ".log"));
        agents.add(a);
        return a;
    }

    /**
     * Like {@link #startAgent(String, Netns, Path)}, with a state directory of the agent's own (its VM
     * labs' state, which two agents on one machine would otherwise share in {@code /run/tapswitch}).
     */
    AgentProcess startAgentWithOwnState(String id, Netns ns, Path config) throws IOException {
        long earlier = agents.stream().filter(a -> a.name().equals(id)).count();
        // Guests run as nobody and must get through to their state directory (searchable, never listable).
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx-----x"));
        Path state = Files.createDirectories(dir.resolve(id + "-state"));
        AgentProcess a = AgentProcess.start(id, ns, config, dir.resolve(id + "-" + (earlier + 1) + ".log"),
                java.util.Map.of("RUNTIME_DIRECTORY", state.toString()));
        agents.add(a);
        return a;
    }

    /** Every agent process this lab started, in order. */
    List<AgentProcess> agents() {
        return List.copyOf(agents);
    }

    /**
     * A watcher that prints the last {@code lastLines} lines of every agent's log when a test fails:
     * the agents run as separate processes, so their logs are not in the test's own output.
     */
    static TestWatcher agentLogsOnFailure(
            Supplier<FabricLab> lab, int lastLines) {
        return new TestWatcher() {
            @Override
            public void testFailed(ExtensionContext context, Throwable cause) {
                FabricLab l = lab.get();
                if (l == null) {
                    return;
                }
                for (AgentProcess a : l.agents()) {
                    List<String> lines = a.log().lines().toList();
                    System.out.println("---- agent " + a.name() + " (pid " + a.pid() + ", alive " + a.alive() + "), last lines:");
                    lines.subList(Math.max(0, lines.size() - lastLines), lines.size()).forEach(System.out::println);
                }
            }
        };
    }

    /** The API of the agent listening on {@code NET.n}. */
    Api api(int n) {
        return new Api("http://" + underlayAddress(n) + ":18080/api/v1", TOKEN);
    }

    /** Stops every agent still running (SIGTERM, SIGKILL after 30 s). */
    void stopAgents() throws InterruptedException {
        for (AgentProcess a : agents) {
            a.stop();
        }
    }

    /**
     * What is still there of the lab: namespaces, interfaces of the root namespace named with the
     * prefix, agent processes, and any process whose command line names the lab's directory.
     */
    List<String> leftovers() {
        List<String> out = new ArrayList<>();
        for (Netns ns : namespaces) {
            if (Netns.exists(ns.name())) {
                out.add("namespace " + ns.name());
            }
        }
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            links.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix + "-"))
                    .forEach(n -> out.add("interface " + n + " in the root namespace"));
        } catch (IOException e) {
            out.add("cannot list /sys/class/net: " + e.getMessage());
        }
        for (AgentProcess a : agents) {
            if (a.alive()) {
                out.add("agent " + a.name() + " (pid " + a.pid() + ")");
            }
        }
        String mark = dir.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(mark)).orElse(false))
                .forEach(p -> out.add("process " + p.pid() + ": " + p.info().commandLine().orElse("?")));
        return out;
    }

    /** The interfaces of namespace {@code ns} (empty when it does not exist). */
    static List<String> links(Netns ns) {
        CommandResult r = ns.run("ip", "-o", "link", "show");
        if (!r.succeeded()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String[] f = line.split(":\\s+");
            if (f.length > 1) {
                out.add(f[1].split("@")[0].trim());
            }
        }
        return out;
    }

    /** Stops the agents, deletes the namespaces (last made first) and the root links, and the lab's files. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stopAgents();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agents.forEach(a -> {
                try {
                    a.kill();
                } catch (InterruptedException ignored) {
                    // going on with the cleanup
                }
            });
        } finally {
            for (int i = namespaces.size() - 1; i >= 0; i--) {
                namespaces.get(i).close();
            }
            for (String link : rootLinks) {
                if (Files.exists(Path.of("/sys/class/net", link))) {
                    HostCommand.run(List.of("ip", "link", "del", link));
                }
            }
            deleteDir();
        }
    }

    private void deleteDir() {
        if (System.getenv("TSF_KEEP_LOGS") != null) {
            System.out.println("fabric lab files kept in " + dir);
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
