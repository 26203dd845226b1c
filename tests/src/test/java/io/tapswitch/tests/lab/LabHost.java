package io.tapswitch.tests.lab;

import com.github.dockerjava.api.model.Capability;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated machine on the switch: a container with no network of its own, into which the
 * lab moves the netdev of a switch port.
 *
 * <p>A container rather than a bare network namespace gives each host its own processes, file
 * system and {@code /tmp}, so scenarios can run servers, keep captures and compare files on
 * several hosts at once, and everything disappears with the container. Network configuration
 * is done from the machine with {@code nsenter} into the container's network namespace,
 * because the container's {@code /proc/sys} is read-only.
 */
public final class LabHost implements AutoCloseable {

    private static final String CAPTURE_FILE = "/tmp/lab-capture.pcap";
    private static final String CAPTURE_PID_FILE = "/tmp/lab-capture.pid";
    private static final Duration CAPTURE_START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CAPTURE_STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    /**
     * Frames that arrived just before a capture is stopped may still sit in the capture
     * socket's buffer; waiting this long before signalling tcpdump lets it write them out.
     * tcpdump runs in immediate mode for the same reason: otherwise the kernel hands frames
     * over in blocks once a second, and whatever is in the current block when tcpdump is
     * stopped never reaches the file.
     */
    private static final Duration CAPTURE_SETTLE = Duration.ofMillis(300);

    private final String name;
    private final GenericContainer<?> container;
    private final long pid;
    private final List<AdoptedLink> links = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private String captureInterface;

    private LabHost(String name, GenericContainer<?> container) {
        this.name = name;
        this.container = container;
        this.pid = container.getCurrentContainerInfo().getState().getPidLong();
    }

    /**
     * Starts a host container.
     *
     * @param name the host's name, also used as its hostname
     * @param containerName the engine-wide container name, unique per lab
     * @param image the image to run, normally {@link HostImage#ensureBuilt()}
     * @param labels labels that let leftovers of a lab be found
     */
    public static LabHost start(String name, String containerName, String image, Map<String, String> labels) {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withNetworkMode("none")
                .withCommand("sleep", "86400")
                .withLabels(labels)
                .withStartupTimeout(Duration.ofSeconds(60))
                .withCreateContainerCmdModifier(command -> {
                    command.withName(containerName).withHostName(name);
                    command.getHostConfig()
                            .withCapAdd(Capability.NET_ADMIN, Capability.NET_RAW)
                            .withInit(true);
                });
        try {
            container.start();
            return new LabHost(name, container);
        } catch (RuntimeException e) {
            stopQuietly(container, e);
            throw e;
        }
    }

    private static void stopQuietly(GenericContainer<?> container, RuntimeException cause) {
        try {
            container.stop();
        } catch (RuntimeException stopFailure) {
            cause.addSuppressed(stopFailure);
        }
    }

    public String name() {
        return name;
    }

    /** The process id, in the machine's namespace, of the container's first process. */
    public long pid() {
        return pid;
    }

    public String containerId() {
        return container.getContainerId();
    }

    /** The links this host adopted, in the order it adopted them. */
    public List<AdoptedLink> links() {
        return List.copyOf(links);
    }

    /** The first adopted link, which a lab configures as {@code eth0}. */
    public AdoptedLink primaryLink() {
        if (links.isEmpty()) {
            throw new IllegalStateException(name + " has no link yet");
        }
        return links.get(0);
    }

    public String mac() {
        return primaryLink().mac();
    }

    public String ipv4() {
        return primaryLink().ipv4();
    }

    public String ipv6() {
        return primaryLink().ipv6();
    }

    /** Runs a program inside the host and returns its result whatever the exit code. */
    public CommandResult exec(String... argv) {
        try {
            Container.ExecResult result = container.execInContainer(argv);
            return new CommandResult(List.of(argv), result.getExitCode(), result.getStdout(), result.getStderr());
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot run " + String.join(" ", argv), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while running " + String.join(" ", argv), e);
        }
    }

    /** Runs a program inside the host and fails with its output when it does not exit 0. */
    public CommandResult execChecked(String... argv) {
        CommandResult result = exec(argv);
        if (!result.succeeded()) {
            throw new IllegalStateException(name + ": " + result.describe());
        }
        return result;
    }

    /**
     * Runs a program from the machine inside this host's network namespace only, which is how
     * settings that the container may not change itself (sysctls) are made.
     */
    public CommandResult execInNetns(String... argv) {
        List<String> command = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "--"));
        command.addAll(List.of(argv));
        return HostCommand.run(Duration.ofSeconds(60), command);
    }

    /**
     * Moves a netdev of the machine into this host and configures it.
     *
     * <p>IPv6 is enabled in the namespace first (Docker disables it for containers without a
     * network), and duplicate address detection is turned off so that addresses can be used
     * as soon as the link is up rather than a second or two later.
     *
     * @param hostIfname the netdev's name in the machine's namespace
     * @param nameInside the name it gets inside the host
     * @param mac the MAC address to give it
     * @param ipv4Cidr an IPv4 address with prefix length, or null for none
     * @param ipv6Cidr an IPv6 address with prefix length, or null for none
     */
    public AdoptedLink adoptLink(String hostIfname, String nameInside, String mac, String ipv4Cidr, String ipv6Cidr) {
        Objects.requireNonNull(hostIfname, "hostIfname");
        Objects.requireNonNull(nameInside, "nameInside");
        enableIpv6();
        HostCommand.check("ip", "link", "set", "dev", hostIfname, "netns", Long.toString(pid));
        netnsChecked("ip", "link", "set", "dev", hostIfname, "name", nameInside);
        if (mac != null) {
            netnsChecked("ip", "link", "set", "dev", nameInside, "address", mac);
        }
        // Slashes, not dots, separate this key's parts: an interface name may contain dots.
        netnsChecked("sysctl", "-q", "-w",
                "net/ipv6/conf/" + nameInside + "/disable_ipv6=0",
                "net/ipv6/conf/" + nameInside + "/accept_dad=0");
        if (ipv4Cidr != null) {
            netnsChecked("ip", "address", "add", ipv4Cidr, "dev", nameInside);
        }
        if (ipv6Cidr != null) {
            netnsChecked("ip", "-6", "address", "add", ipv6Cidr, "dev", nameInside, "nodad");
        }
        netnsChecked("ip", "link", "set", "dev", "lo", "up");
        netnsChecked("ip", "link", "set", "dev", nameInside, "up");
        AdoptedLink link = new AdoptedLink(nameInside, mac, ipv4Cidr, ipv6Cidr);
        links.add(link);
        return link;
    }

    private void enableIpv6() {
        netnsChecked("sysctl", "-q", "-w",
                "net.ipv6.conf.all.disable_ipv6=0",
                "net.ipv6.conf.default.disable_ipv6=0",
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0");
    }

    private void netnsChecked(String... argv) {
        CommandResult result = execInNetns(argv);
        if (!result.succeeded()) {
            throw new IllegalStateException(name + ": " + result.describe());
        }
    }

    /**
     * Starts capturing every frame this host receives or sends on an interface, until
     * {@link #stopCapture()}. Only one capture per host runs at a time.
     *
     * <p>It returns once the capture is active: tcpdump creates its output file only after
     * the capture socket is bound and filtered, so frames sent afterwards are all recorded.
     *
     * @param ifname the interface inside the host, such as {@code eth0}
     * @param filter an optional pcap filter expression, one word per argument
     */
    public synchronized void startCapture(String ifname, String... filter) {
        if (captureInterface != null) {
            throw new IllegalStateException(name + " is already capturing on " + captureInterface);
        }
        exec("rm", "-f", CAPTURE_FILE, CAPTURE_PID_FILE);
        List<String> command = new ArrayList<>(List.of(
                "start-stop-daemon", "-S", "-b", "-m", "-p", CAPTURE_PID_FILE, "-x", "/usr/bin/tcpdump", "--",
                "-i", ifname, "-n", "-e", "-U", "--immediate-mode", "-Z", "root", "-w", CAPTURE_FILE));
        command.addAll(List.of(filter));
        execChecked(command.toArray(String[]::new));
        captureInterface = ifname;
        long deadline = System.nanoTime() + CAPTURE_START_TIMEOUT.toNanos();
        while (!exec("test", "-e", CAPTURE_FILE).succeeded()) {
            if (System.nanoTime() > deadline || !captureRunning()) {
                captureInterface = null;
                throw new IllegalStateException(name + ": tcpdump did not start on " + ifname + "; "
                        + exec("timeout", "2", "tcpdump", "-i", ifname, "-n", "-c", "1", "-Z", "root").describe());
            }
            pause(POLL_INTERVAL);
        }
    }

    /**
     * Stops the running capture and returns the frames it saw, in order.
     *
     * @throws IllegalStateException when no capture is running
     */
    public synchronized List<CapturedFrame> stopCapture() {
        if (captureInterface == null) {
            throw new IllegalStateException(name + " is not capturing");
        }
        pause(CAPTURE_SETTLE);
        execChecked("start-stop-daemon", "-K", "-s", "INT", "-p", CAPTURE_PID_FILE);
        captureInterface = null;
        long deadline = System.nanoTime() + CAPTURE_STOP_TIMEOUT.toNanos();
        while (captureRunning()) {
            if (System.nanoTime() > deadline) {
                exec("start-stop-daemon", "-K", "-s", "KILL", "-p", CAPTURE_PID_FILE);
                throw new IllegalStateException(name + ": tcpdump ignored SIGINT for " + CAPTURE_STOP_TIMEOUT);
            }
            pause(POLL_INTERVAL);
        }
        CommandResult dump = execChecked("tcpdump", "-n", "-e", "-Z", "root", "-r", CAPTURE_FILE);
        List<CapturedFrame> frames = new ArrayList<>();
        for (String line : dump.stdout().split("\n")) {
            CapturedFrame.parse(line).ifPresent(frames::add);
        }
        return frames;
    }

    /**
     * Whether tcpdump still runs. A process that exited but was not yet reaped counts as gone,
     * which matters should the host's init be slow to reap it.
     */
    private boolean captureRunning() {
        Optional<String> capturePid = Optional.of(exec("cat", CAPTURE_PID_FILE))
                .filter(CommandResult::succeeded)
                .map(result -> result.stdout().strip())
                .filter(text -> !text.isEmpty());
        if (capturePid.isEmpty()) {
            return false;
        }
        CommandResult stat = exec("cat", "/proc/" + capturePid.get() + "/stat");
        if (!stat.succeeded()) {
            return false;
        }
        String afterCommand = stat.stdout().substring(stat.stdout().lastIndexOf(')') + 1).strip();
        return !afterCommand.startsWith("Z");
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops and removes the container. The kernel then deletes the host's network namespace,
     * and with it every virtual netdev (veth end or TAP) that was moved into it.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            container.stop();
        }
    }

    @Override
    public String toString() {
        return name + "(pid " + pid + ")";
    }
}
