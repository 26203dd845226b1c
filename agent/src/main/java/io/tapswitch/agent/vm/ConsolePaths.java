package io.tapswitch.agent.vm;

import java.nio.file.Path;

/**
 * Where one VM's serial console lives on the host.
 *
 * <p>QEMU serves the console on a unix socket so tests can type into the
 * guest shell at any time, and also appends everything the guest prints to a
 * log file, so the boot output is kept even while nobody is connected.
 *
 * @param socket unix stream socket QEMU listens on
 * @param log    file receiving all console output
 */
public record ConsolePaths(Path socket, Path log) {

    /** The conventional layout: {@code DIR/NAME.sock} and {@code DIR/NAME.log}. */
    public static ConsolePaths in(Path dir, String vmName) {
        return new ConsolePaths(dir.resolve(vmName + ".sock"), dir.resolve(vmName + ".log"));
    }

    /**
     * The VM's QMP (QEMU machine protocol) socket next to the console socket, {@code DIR/NAME.qmp}:
     * how the agent powers a guest down and sets its NICs' link state (see {@link Qmp}).
     */
    public Path qmp() {
        String name = socket.getFileName().toString();
        return socket.resolveSibling(name.substring(0, name.length() - ".sock".length()) + ".qmp");
    }
}
