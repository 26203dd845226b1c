package io.tapswitch.tests.lab;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A set of hosts, each plugged into one port of a switch under test.
 *
 * <p>Host number N (from 1) gets port {@code hN}, whose netdev becomes the host's
 * {@code eth0} with the addresses of {@link HostAddress}. A lab owns its hosts and the ports
 * it created, and {@link #close()} removes all of them even when a scenario failed half way;
 * the {@link SwitchPorts} itself stays with the caller, who may reuse it for another lab once
 * this one is closed (port names repeat from lab to lab, so one switch serves one lab at a time).
 *
 * <pre>{@code
 * try (Lab lab = Lab.builder().hosts(3).switchPorts(ports).build()) {
 *     lab.host(1).execChecked("ping", "-c", "1", lab.host(2).ipv4());
 * }
 * }</pre>
 */
public final class Lab implements AutoCloseable {

    /** The label every lab container carries, whose value is the lab's id. */
    public static final String LABEL = "io.tapswitch.lab";

    /** The name each host gives its switch-facing interface. */
    public static final String INTERFACE = "eth0";

    private final String id;
    private final SwitchPorts switchPorts;
    private final List<LabHost> hosts = new ArrayList<>();
    private final List<String> ports = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Lab(String id, SwitchPorts switchPorts) {
        this.id = id;
        this.switchPorts = switchPorts;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The id that distinguishes this lab's containers from any other's; random unless set. */
    public String id() {
        return id;
    }

    public List<LabHost> hosts() {
        return List.copyOf(hosts);
    }

    /** Returns host number {@code number}, counting from 1 as the addresses do. */
    public LabHost host(int number) {
        if (number < 1 || number > hosts.size()) {
            throw new IllegalArgumentException("no host " + number + " in a lab of " + hosts.size());
        }
        return hosts.get(number - 1);
    }

    /** The name of the switch port host {@code number} is plugged into. */
    public static String portName(int number) {
        return "h" + number;
    }

    /**
     * Removes every host and every port this lab created. Each step is attempted even when an
     * earlier one failed, and the failures are reported together afterwards. Calling it again
     * does nothing.
     *
     * @throws IllegalStateException when some resource could not be removed
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (LabHost host : hosts) {
            attempt(host::close, failures);
        }
        for (String port : ports) {
            attempt(() -> switchPorts.removePort(port), failures);
        }
        if (!failures.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("lab " + id + " was not fully removed");
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private static void attempt(Runnable step, List<RuntimeException> failures) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    /** Collects a lab's settings; {@link #build()} then creates it. */
    public static final class Builder {

        private static final int MAX_PARALLEL_STARTS = 4;
        private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

        private int hostCount = 2;
        private SwitchPorts switchPorts;
        private LinkKind linkKind = LinkKind.TAP;
        private String image;
        private String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);

        private Builder() {
        }

        /**
         * Names the lab instead of a random id, so that its containers
         * ({@code tapswitch-lab-ID-hostN}, labelled {@value Lab#LABEL}=ID) can be traced to the
         * scenario that made them.
         */
        public Builder id(String labId) {
            if (!ID.matcher(labId).matches()) {
                throw new IllegalArgumentException("lab ids are 1..32 of [a-z0-9-]: " + labId);
            }
            this.id = labId;
            return this;
        }

        /** How many hosts to start, 1 to 254; two by default. */
        public Builder hosts(int count) {
            if (count < 1 || count > 254) {
                throw new IllegalArgumentException("a lab has 1..254 hosts: " + count);
            }
            this.hostCount = count;
            return this;
        }

        /** The switch whose ports the hosts are plugged into. Required. */
        public Builder switchPorts(SwitchPorts ports) {
            this.switchPorts = Objects.requireNonNull(ports, "ports");
            return this;
        }

        /** Which kind of port to ask the switch for; TAP by default. */
        public Builder linkKind(LinkKind kind) {
            this.linkKind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /** An image to run instead of {@link HostImage}'s, for instance one with more tools. */
        public Builder image(String imageName) {
            this.image = Objects.requireNonNull(imageName, "imageName");
            return this;
        }

        /**
         * Starts the hosts (several at once, since each container takes a moment), then plugs
         * each one into a new port. When any step fails, whatever was created is removed
         * before the failure is thrown.
         */
        public Lab build() {
            Objects.requireNonNull(switchPorts, "switchPorts must be set");
            Lab lab = new Lab(id, switchPorts);
            try {
                String imageName = image != null ? image : HostImage.ensureBuilt();
                startHosts(lab, imageName);
                for (int number = 1; number <= hostCount; number++) {
                    plug(lab, number);
                }
                return lab;
            } catch (RuntimeException e) {
                try {
                    lab.close();
                } catch (RuntimeException cleanupFailure) {
                    e.addSuppressed(cleanupFailure);
                }
                throw e;
            }
        }

        private void startHosts(Lab lab, String imageName) {
            Map<String, String> labels = Map.of(LABEL, lab.id);
            ExecutorService starter = Executors.newFixedThreadPool(Math.min(hostCount, MAX_PARALLEL_STARTS));
            try {
                Map<Integer, CompletableFuture<LabHost>> starts = new LinkedHashMap<>();
                for (int number = 1; number <= hostCount; number++) {
                    String hostName = "host" + number;
                    String containerName = "tapswitch-lab-" + lab.id + "-" + hostName;
                    starts.put(number, CompletableFuture.supplyAsync(
                            () -> LabHost.start(hostName, containerName, imageName, labels), starter));
                }
                RuntimeException failure = null;
                for (CompletableFuture<LabHost> start : starts.values()) {
                    try {
                        lab.hosts.add(start.join());
                    } catch (CompletionException e) {
                        RuntimeException cause = e.getCause() instanceof RuntimeException runtime
                                ? runtime : new IllegalStateException(e.getCause());
                        if (failure == null) {
                            failure = cause;
                        } else {
                            failure.addSuppressed(cause);
                        }
                    }
                }
                if (failure != null) {
                    throw failure;
                }
            } finally {
                starter.shutdown();
            }
        }

        private void plug(Lab lab, int number) {
            String port = portName(number);
            lab.ports.add(port);
            String netdev = linkKind == LinkKind.TAP
                    ? lab.switchPorts.createTapPort(port)
                    : lab.switchPorts.createVethPort(port);
            HostAddress address = new HostAddress(number);
            lab.host(number).adoptLink(netdev, INTERFACE, address.mac(), address.ipv4Cidr(), address.ipv6Cidr());
        }
    }
}
