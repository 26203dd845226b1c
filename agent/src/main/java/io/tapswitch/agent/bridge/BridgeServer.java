package io.tapswitch.agent.bridge;

import io.tapswitch.agent.attach.AutoAttach;
import io.tapswitch.agent.config.BridgeHelperSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.EventFd;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.Poll;
import io.tapswitch.core.sys.PollFds;
import io.tapswitch.core.sys.TapDevice;
import io.tapswitch.core.sys.UnixSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;

/**
 * The agent's side of the bridge helper: how an unprivileged QEMU gets a TAP on the switch
 * ({@code -netdev bridge,br=tapswitch,helper=/usr/lib/tapswitch/qemu-bridge-helper}) without a
 * setuid program.
 *
 * <p>QEMU runs the helper ({@link BridgeHelper}) as its own user; the helper connects to this
 * server's UNIX socket, which any local user may reach, and asks {@code attach BRIDGE vnet}. The
 * server takes the caller's uid and gid from the kernel ({@code SO_PEERCRED}, which cannot be
 * forged) and its groups from {@code /proc}, asks the {@link BridgeAcl} (read again for every
 * request), and, when allowed, creates a TAP ({@code qemuN}, with a virtio-net header when asked,
 * owned by the caller with TUNSETOWNER), attaches it as a {@code netdev} port in the VLAN the
 * list gives, through the {@link ControlPlane} like every change, and sends its descriptor back
 * over the socket ({@code SCM_RIGHTS}) with {@code ok NAME}. Its own copy is closed at once, so
 * QEMU holds the only one. Refusals are one line, {@code error REASON}, which the helper prints.
 *
 * <p><b>Removal.</b> The TAP is not persistent: when QEMU exits (however it ends) the kernel
 * removes the device with its last descriptor, the link monitor reports it gone, and the port,
 * owned by {@code bridge-helper USER}, goes with it ({@link AutoAttach#gone}). The helper's
 * connection is no sign of the guest's life: the helper exits as soon as QEMU has the descriptor.
 *
 * <p>One thread, {@code tapswitch-bridge}, serves one request at a time; a request takes a few
 * milliseconds, and a peer that says nothing is dropped after {@value #REQUEST_TIMEOUT_MILLIS} ms.
 */
public final class BridgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeServer.class);
    private static final int REQUEST_TIMEOUT_MILLIS = 5000;
    private static final String TAP_TEMPLATE = "qemu%d";
    /** Bridge names a request may use besides the switch's own name. */
    public static final String DEFAULT_BRIDGE = "tapswitch";

    private final ControlPlane control;
    private final BridgeHelperSpec spec;
    private final UnixSocket listener;
    private final EventFd wakeup;
    private final SystemDirectory directory = new SystemDirectory();
    private final Thread thread;
    private volatile boolean stopping;

    private BridgeServer(ControlPlane control, BridgeHelperSpec spec, UnixSocket listener, EventFd wakeup) {
        this.control = control;
        this.spec = spec;
        this.listener = listener;
        this.wakeup = wakeup;
        this.thread = new Thread(this::run, "tapswitch-bridge");
        this.thread.setDaemon(true);
    }

    /** Listens on the section's socket (replacing a stale one, mode 0666) and starts serving. */
    public static BridgeServer start(ControlPlane control, BridgeHelperSpec spec) throws IOException {
        Path socket = Path.of(spec.socket());
        Path dir = socket.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (Files.exists(socket) && !Files.isDirectory(socket)) {
            // left by an agent that did not stop cleanly: nobody listens on it any more
            Files.delete(socket);
        }
        EventFd wakeup = new EventFd();
        UnixSocket listener;
        try {
            listener = UnixSocket.listen(spec.socket(), 16);
        } catch (NativeException | RuntimeException e) {
            wakeup.close();
            throw e;
        }
        try {
            // anyone may ask; the access list decides
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException | RuntimeException e) {
            listener.close();
            wakeup.close();
            throw e;
        }
        BridgeServer server = new BridgeServer(control, spec, listener, wakeup);
        server.thread.start();
        LOG.info("bridge helper: listening on {}, access list {}", spec.socket(), spec.acl());
        return server;
    }

    private void run() {
        PollFds fds = new PollFds(2);
        while (!stopping) {
            fds.set(0, listener.fd(), Poll.POLLIN);
            fds.set(1, wakeup.fd(), Poll.POLLIN);
            if (fds.poll(-1) < 0 && !Errno.isTransient(Errno.last())) {
                LOG.error("bridge helper: poll failed ({}); no longer serving", Errno.describe(Errno.last()));
                return;
            }
            if (stopping) {
                return;
            }
            try (UnixSocket connection = fds.readable(0) ? listener.accept() : null) {
                if (connection != null) {
                    serve(connection);
                }
            } catch (NativeException | RuntimeException e) {
                LOG.warn("bridge helper: a request failed: {}", e.getMessage());
            }
        }
    }

    private void serve(UnixSocket connection) throws NativeException {
        UnixSocket.Credentials peer = connection.peerCredentials();
        connection.setReceiveTimeout(Duration.ofMillis(REQUEST_TIMEOUT_MILLIS));
        String user = directory.userName(peer.uid());
        String request = new String(connection.receive(256).data(), StandardCharsets.US_ASCII).trim();
        String[] words = request.split(" ");
        if (words.length != 3 || !words[0].equals("attach") || !(words[2].equals("vnet") || words[2].equals("novnet"))) {
            refuse(connection, user, "the request '" + request + "' is not 'attach BRIDGE vnet|novnet'");
            return;
        }
        String bridge = words[1];
        if (!bridge.equals(DEFAULT_BRIDGE) && !bridge.equals(control.config().name())) {
            refuse(connection, user, "there is no bridge '" + bridge + "' here: use br=" + DEFAULT_BRIDGE);
            return;
        }
        Set<Integer> groups = directory.groupsOf(peer.pid(), peer.gid());
        BridgeAcl.Decision decision = BridgeAcl.read(Path.of(spec.acl())).decide(peer.uid(), user, groups, directory);
        if (!decision.allowed()) {
            refuse(connection, user, "user " + user + " may not attach to the switch: " + decision.reason());
            return;
        }
        TapDevice.Created tap;
        try {
            tap = TapDevice.create(TAP_TEMPLATE, words[2].equals("vnet"), peer.uid());
        } catch (NativeException e) {
            refuse(connection, user, "the agent cannot create a TAP: " + e.getMessage());
            return;
        }
        try (var fd = tap.fd()) {
            PortSpec port = new PortSpec(tap.name(), PortSpec.PortKindSpec.NETDEV, PortSpec.CreateMode.ATTACH, false, true,
                    decision.vlan());
            try {
                control.submit(new Change.AddPort(port, AutoAttach.BRIDGE_OWNER + " " + user), null);
            } catch (RuntimeException e) {
                refuse(connection, user, "the switch refused port " + tap.name() + ": " + e.getMessage());
                return;
            }
            try {
                connection.send(("ok " + tap.name() + "\n").getBytes(StandardCharsets.US_ASCII), fd.fd());
            } catch (NativeException | RuntimeException e) {
                control.submit(new Change.RemovePort(tap.name()), null);
                throw e;
            }
            LOG.info("bridge helper: {} (uid {}, pid {}) has {} ({}), as {}", user, peer.uid(), peer.pid(), tap.name(),
                    decision.vlan() == null ? "default VLANs" : "vlan " + decision.vlan().mode()
                            + (decision.vlan().tag() == null ? "" : " " + decision.vlan().tag())
                            + (decision.vlan().trunks() == null ? "" : " trunks " + decision.vlan().trunks()),
                    decision.reason());
        }
    }

    private static void refuse(UnixSocket connection, String user, String reason) throws NativeException {
        LOG.warn("bridge helper: refused {}: {}", user, reason);
        connection.send(("error " + reason + "\n").getBytes(StandardCharsets.US_ASCII), -1);
    }

    /** Stops serving and removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        wakeup.signal();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
        wakeup.close();
        try {
            Files.deleteIfExists(Path.of(spec.socket()));
        } catch (IOException e) {
            LOG.debug("cannot remove {}: {}", spec.socket(), e.getMessage());
        }
    }
}
