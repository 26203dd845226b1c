package io.tapswitch.core.port;

import io.tapswitch.core.frame.Frame;

/**
 * One attachment of the switch to a network device.
 *
 * <p>The frame-path methods never throw and never allocate: they return a count or a negated errno,
 * because an exception per dropped frame would cost more than the frame. A port is used by exactly
 * one reading thread, while any forwarding thread may send through it concurrently; implementations
 * rely on the kernel writing each frame atomically.
 */
public interface Port extends AutoCloseable {
    /** Returned by {@link #receive(Frame)} when no frame is waiting. */
    int NOTHING = 0;

    /** The network interface name (also the port's name in the switch). */
    String name();

    PortKind kind();

    /** The descriptor the reading thread polls for input; -1 once closed. */
    int pollFd();

    /** Whether frames on this port carry a virtio-net header (offloads negotiated). */
    boolean vnetHeader();

    /**
     * Reads one frame into {@code frame} (after {@link Frame#reset()}), vnet header included, and
     * returns the length of the Ethernet frame; {@link #NOTHING} when none is waiting; or a negated
     * errno when the device failed (gone, down). A failed device keeps returning an errno until it
     * works again, so {@link #NOTHING} also tells the switch that a failed port has recovered.
     */
    int receive(Frame frame);

    /**
     * Sends the frame as it now stands in {@code frame}. Returns 0 when the kernel took it, or a
     * negated errno (for example -EAGAIN when the device's queue is full, -EIO when it is down).
     */
    int send(Frame frame);

    /** Closes the device; idempotent. */
    @Override
    void close();
}
