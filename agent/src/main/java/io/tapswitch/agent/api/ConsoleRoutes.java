package io.tapswitch.agent.api;

import io.tapswitch.agent.state.ConflictException;
import io.tapswitch.agent.state.NotFoundException;
import io.tapswitch.agent.vm.ConsoleLock;
import io.tapswitch.agent.vm.ConsolePaths;
import io.tapswitch.agent.vm.Labs;
import io.tapswitch.agent.vm.RawConsole;
import io.tapswitch.agent.vm.VmStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code GET /api/v1/labs/{lab}/vms/{vm}/console}: a VM's serial console over a WebSocket, which is
 * what {@code tapswitch vm console} attaches to, so it works against a remote agent too. Binary (or
 * text) messages from the client are typed into the console; what the guest prints comes back as
 * binary messages. The session claims the console ({@link ConsoleLock}): a second client, or a
 * {@code vm exec} meanwhile, is refused with "console in use by ..." (409) instead of waiting on
 * QEMU's single connection. A plain GET without the upgrade answers who holds the console.
 *
 * <p>One thread per session reads the console socket, which blocks; typed input is small and
 * written straight away.
 */
final class ConsoleRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);

    /** The answer of the plain GET. */
    record ConsoleView(String lab, String vm, VmStatus.State state, String inUseBy) {
    }

    private final Labs labs;

    ConsoleRoutes(Labs labs) {
        this.labs = labs;
    }

    void mount(Router router) {
        router.get("/api/v1/labs/:lab/vms/:vm/console").handler(this::console);
    }

    private void console(RoutingContext ctx) {
        String lab = ctx.pathParam("lab");
        String vm = ctx.pathParam("vm");
        Labs.VmView view = labs.vms().stream().filter(v -> v.lab().equals(lab) && v.name().equals(vm)).findFirst().orElse(null);
        if (view == null) {
            ctx.fail(new NotFoundException("no VM '" + vm + "' in a lab named '" + lab + "' is up"));
            return;
        }
        Path socket = ConsolePaths.in(Path.of(view.consoleLog()).getParent(), vm).socket();
        if (!ctx.request().canUpgradeToWebSocket()) {
            try {
                Replies.json(ctx, 200, new ConsoleView(lab, vm, view.state(), ConsoleLock.holder(socket)));
            } catch (IOException e) {
                ctx.fail(e);
            }
            return;
        }
        if (view.state() != VmStatus.State.RUNNING) {
            ctx.fail(new ConflictException("VM " + vm + " of lab " + lab + " is " + view.state() + "; start it first"));
            return;
        }
        RawConsole console;
        try {
            console = RawConsole.open(socket, "vm console from " + ctx.request().remoteAddress());
        } catch (ConsoleLock.BusyException e) {
            ctx.fail(new ConflictException(e.getMessage()));
            return;
        } catch (IOException e) {
            ctx.fail(new ConflictException("cannot connect to the console of " + vm + ": " + e.getMessage()));
            return;
        }
        ctx.request().toWebSocket().onSuccess(ws -> attach(ws, console, lab + "/" + vm)).onFailure(e -> closeQuietly(console));
    }

    private static void attach(ServerWebSocket ws, RawConsole console, String name) {
        ws.binaryMessageHandler(b -> type(ws, console, b));
        ws.textMessageHandler(t -> type(ws, console, Buffer.buffer(t)));
        ws.closeHandler(v -> closeQuietly(console));
        Thread reader = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            try {
                while (console.read(buf) >= 0) {
                    buf.flip();
                    ws.writeBinaryMessage(Buffer.buffer(Arrays.copyOf(buf.array(), buf.limit())));
                    buf.clear();
                }
                ws.close((short) 1000, "QEMU closed the console (the VM stopped)");
            } catch (IOException e) {
                // Closed by the client's side (closeHandler), or QEMU went away.
                if (!ws.isClosed()) {
                    ws.close((short) 1011, "console: " + e.getMessage());
                }
            } finally {
                closeQuietly(console);
            }
        }, "console-" + name);
        reader.setDaemon(true);
        reader.start();
        LOG.info("console of {} attached by {}", name, ws.remoteAddress());
    }

    private static void type(ServerWebSocket ws, RawConsole console, Buffer bytes) {
        try {
            console.write(bytes.getBytes());
        } catch (IOException e) {
            ws.close((short) 1011, "console: " + e.getMessage());
        }
    }

    private static void closeQuietly(RawConsole console) {
        try {
            console.close();
        } catch (IOException e) {
            // Already closed by the other side of the session.
        }
    }
}
