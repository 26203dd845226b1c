package io.tapswitch.bench;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.PortKind;

/**
 * A port that accepts every frame and keeps nothing: the sink of the engine benchmarks.
 *
 * <p>{@code Switch.process} ends in {@link Port#send}; a real device would measure the kernel and a
 * test fake (a synchronized, copying {@code MemoryPort}) would measure its own lock and copies. This
 * one costs a field increment, so what a benchmark times is the switch's decision and bookkeeping.
 * The count is read after the run, which also keeps the JIT from proving sends useless.
 */
final class DiscardPort implements Port {
    private final String name;
    private long sent;

    DiscardPort(String name) {
        this.name = name;
    }

    /** Frames accepted so far. */
    long sent() {
        return sent;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PortKind kind() {
        return PortKind.MEMORY;
    }

    @Override
    public int pollFd() {
        return -1;
    }

    @Override
    public boolean vnetHeader() {
        return true;
    }

    @Override
    public int receive(Frame frame) {
        return NOTHING;
    }

    @Override
    public int send(Frame frame) {
        sent++;
        return 0;
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
