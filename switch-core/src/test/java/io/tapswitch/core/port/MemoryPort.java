package io.tapswitch.core.port;

import io.tapswitch.core.frame.Frame;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory port: tests queue frames to be "received" and read back what the switch sent.
 * It is the fake behind every forwarding test that does not need a kernel.
 */
public final class MemoryPort implements Port {
    private final String name;
    private final boolean vnet;
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private final List<byte[]> sent = new ArrayList<>();
    private volatile boolean closed;

    public MemoryPort(String name) {
        this(name, true);
    }

    public MemoryPort(String name, boolean vnet) {
        this.name = name;
        this.vnet = vnet;
    }

    public synchronized void inject(byte[] frame) {
        inbound.add(frame);
    }

    public synchronized List<byte[]> sent() {
        return List.copyOf(sent);
    }

    public synchronized void clearSent() {
        sent.clear();
    }

    public boolean isClosed() {
        return closed;
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
        return vnet;
    }

    @Override
    public synchronized int receive(Frame frame) {
        byte[] next = inbound.poll();
        if (next == null) {
            return NOTHING;
        }
        frame.load(next);
        return next.length;
    }

    @Override
    public synchronized int send(Frame frame) {
        sent.add(frame.toBytes());
        return 0;
    }

    @Override
    public void close() {
        closed = true;
    }
}
