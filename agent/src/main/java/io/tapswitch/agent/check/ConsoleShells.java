package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.GuestConsole;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The guests' serial consoles for one test run: each VM's console socket is connected on first
 * use and kept until {@link #close}, because QEMU serves a console to one client at a time and
 * reconnecting for every command of a check would only add latency. A command that times out is
 * interrupted with Ctrl-C so the guest shell is free for the next one.
 */
public final class ConsoleShells implements GuestShell, AutoCloseable {
    private final Map<String, Path> sockets;
    private final Map<String, GuestConsole> open = new HashMap<>();

    /** @param sockets console socket of every VM of the lab, by VM name */
    public ConsoleShells(Map<String, Path> sockets) {
        this.sockets = Map.copyOf(sockets);
    }

    @Override
    public GuestConsole.Result exec(String vm, String command, Duration timeout) throws IOException, TimeoutException {
        GuestConsole console = console(vm);
        try {
            return console.exec(command, timeout);
        } catch (TimeoutException e) {
            console.send("\u0003");
            throw e;
        }
    }

    private GuestConsole console(String vm) throws IOException {
        synchronized (open) {
            GuestConsole c = open.get(vm);
            if (c == null) {
                Path socket = sockets.get(vm);
                if (socket == null) {
                    throw new IOException("VM " + vm + " is not running in this lab");
                }
                try {
                    c = GuestConsole.connect(socket);
                } catch (IOException e) {
                    throw new IOException("cannot connect to the console of " + vm + " (" + socket + "): " + e.getMessage(), e);
                }
                open.put(vm, c);
            }
            return c;
        }
    }

    @Override
    public void close() {
        synchronized (open) {
            for (GuestConsole c : open.values()) {
                try {
                    c.close();
                } catch (IOException e) {
                    // the connection is gone either way
                }
            }
            open.clear();
        }
    }
}
