package io.tapswitch.core.port;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.sys.SendMessages;

/**
 * One attachment of the switch to a network device.
 *
 * <p>The frame-path methods never throw and never allocate: they return a count or a negated errno,
 * because an exception per dropped frame would cost more than the frame. A port is used by exactly
 * one reading thread (the event loop it is assigned to), while any forwarding thread may send through
 * it concurrently; implementations rely on the kernel writing each frame atomically.
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
     * How many frames one {@link #receive(Frame[], int)} call may return; the reading thread keeps
     * that many frames. 1 unless the device can hand over a burst in one system call.
     */
    default int receiveBatch() {
        return 1;
    }

    /**
     * Reads up to {@code max} frames (at most {@code frames.length}, each after {@link Frame#reset()})
     * and returns how many arrived, in {@code frames[0]} onwards and in the order the device received
     * them; {@link #NOTHING} or a negated errno exactly as {@link #receive(Frame)}. An implementation
     * may reorder the array's elements (not the frames' contents) to keep the frames it read in front.
     */
    default int receive(Frame[] frames, int max) {
        int n = receive(frames[0]);
        return n > 0 ? 1 : n;
    }

    /**
     * Sends the frame as it now stands in {@code frame}. Returns 0 when the kernel took it, a
     * negated errno (for example -EAGAIN when the device's queue is full, -EIO when it is down), or
     * the {@link Refusal#code()} of a frame the port refuses by design (a VLAN its tunnel does not
     * carry, a frame too big for its underlay), which the switch counts as a drop with its reason.
     */
    int send(Frame frame);

    /**
     * Whether {@link #send(SendMessages, int, int)} sends a burst with one system call; the event
     * loops then queue this port's frames during a pass and send them together at its end.
     */
    default boolean sendsBatches() {
        return false;
    }

    /**
     * Sends the frames queued in slots {@code from} to {@code from + count - 1} of {@code messages}
     * (each as {@link #send(Frame)} would send it: the vnet header first when the port has one) with
     * one system call. Returns how many the kernel took, in order from {@code from}; a negated errno
     * when it took none (the first failed); -EOPNOTSUPP when the port does not batch.
     */
    default int send(SendMessages messages, int from, int count) {
        return -io.tapswitch.core.sys.Errno.EOPNOTSUPP;
    }

    /**
     * For a port that stands for a remote VXLAN tunnel endpoint ({@link PortKind#VTEP}), that
     * endpoint's IPv4 underlay address (numeric, as {@code io.tapswitch.core.sys.In} handles them):
     * frames the tunnel receives from that address are attributed to this port. 0 for every other port.
     */
    default int vtepAddress() {
        return 0;
    }

    /** Closes the device; idempotent. */
    @Override
    void close();
}
