package io.tapswitch.core.port;

import io.tapswitch.core.frame.Frame;

/**
 * A port that has no descriptor, never has a frame to receive and discards what it is sent: the
 * starting point for a test's own port that scripts one side of the {@link Port} contract (what it
 * does with a frame it is sent, or how its frames arrive) and leaves the rest as an in-memory port
 * behaves. It takes frames with their virtio-net header, as a TAP with offloads does, so the switch
 * hands them over as they are.
 */
public abstract class NullPort implements Port {
    private final String name;

    protected NullPort(String name) {
        this.name = name;
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
        return 0;
    }

    @Override
    public void close() {
    }
}
