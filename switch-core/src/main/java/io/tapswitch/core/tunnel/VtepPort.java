package io.tapswitch.core.tunnel;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.offload.ScratchLanes;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.PortKind;
import io.tapswitch.core.sys.GsoMessages;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.In;

import java.net.Inet4Address;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One remote VXLAN tunnel endpoint as a port of the switch. Made by the host's
 * {@link TunnelEndpoint} ({@link TunnelEndpoint#peer}), which it sends through and which reads for
 * it.
 *
 * <p><b>Why a port per remote VTEP.</b> The switch's MAC learning, flooding, counters and port
 * removal then work for remote hosts as they do for local ones, unchanged: a remote MAC is learned
 * on the port of the VTEP it came from, so the FDB, the API and the console show it "on" its host;
 * flooding a VLAN means one copy per member VTEP port, which is VXLAN's head-end replication; and a
 * peer that leaves is a port removed, its MACs flushed by the removal that every port has. The
 * switch keeps frames from one VTEP away from the others (split horizon).
 *
 * <p><b>Sending.</b> {@link #send} encapsulates the frame as it stands ({@link Encapsulation}: the
 * outer tag chooses the VNI and is stripped, GSO frames are segmented and partial checksums
 * completed in software) and hands every datagram of it to the kernel in one {@code sendmmsg} on the
 * endpoint's UDP socket for the frame's flow ({@link SenderSockets}), which sets DF on each, with
 * runs of equal-sized datagrams cut by the kernel (UDP segmentation) where it can. Should the
 * kernel refuse to cut a run, the same datagrams go one by one. A frame this port cannot carry is refused with a
 * {@link io.tapswitch.core.port.Refusal} code: its VLAN maps to no VNI, or it (or one of its
 * segments) is longer than the underlay MTU minus the encapsulation. Nothing is allocated per frame.
 *
 * <p><b>Threads.</b> Any forwarding thread may send through this port at any moment, several at once.
 * The encapsulation scratch is therefore kept in {@link #LANES} lanes ({@link ScratchLanes}): a
 * sender claims a free lane with one compare-and-set and gives it back after its
 * {@code sendmmsg}, so concurrent senders use different scratch and none takes a lock; only more
 * simultaneous senders than lanes wait, spinning for one lane's single system call. Lanes are
 * made on first use (about 24 KB each), so a port that one thread sends through holds one.
 *
 * <p><b>Receiving</b> is the endpoint's: this port's {@link #pollFd()} is -1 and {@link #receive}
 * finds nothing; the endpoint hands the frames of this VTEP to the switch as this port's.
 */
public final class VtepPort implements Port {
    /** Lanes of send scratch: enough for every forwarding thread of a small host to send at once. */
    static final int LANES = 8;

    private final TunnelEndpoint endpoint;
    private final String name;
    private final Inet4Address inet;
    private final int address;
    private final int port;
    private final ScratchLanes<Encapsulation> lanes = new ScratchLanes<>(LANES, Encapsulation::new);
    private volatile boolean closed;

    private final AtomicLong probesSent = new AtomicLong();
    private final AtomicLong fullProbesSent = new AtomicLong();
    private final AtomicLong probesAnswered = new AtomicLong();
    private final AtomicLong fullProbesAnswered = new AtomicLong();
    private final AtomicLong lastReply = new AtomicLong();
    private final AtomicLong lastFullReply = new AtomicLong();
    private final AtomicLong lastRtt = new AtomicLong();
    private final AtomicLong probeErrors = new AtomicLong();
    private volatile int lastProbeErrno;
    /** Whether the remote endpoint said (in a probe reply) that it completes partial TCP checksums of ours. */
    private volatile boolean takesPartial;

    VtepPort(TunnelEndpoint endpoint, String name, Inet4Address inet, int port) {
        this.endpoint = endpoint;
        this.name = name;
        this.inet = inet;
        this.address = In.address(inet.getAddress());
        this.port = port;
    }

    /** The remote VTEP's underlay address. */
    public Inet4Address address() {
        return inet;
    }

    /** The UDP port the remote VTEP listens on. */
    public int port() {
        return port;
    }

    /** The endpoint this port sends through. */
    public TunnelEndpoint endpoint() {
        return endpoint;
    }

    /** What the tunnel health probes to this VTEP have shown so far ({@link TunnelEndpoint#probe}). */
    public ProbeStats probes() {
        return new ProbeStats(probesSent.get(), fullProbesSent.get(), probesAnswered.get(), fullProbesAnswered.get(),
                lastReply.get(), lastFullReply.get(), lastRtt.get(), probeErrors.get(), lastProbeErrno);
    }

    /** What the remote endpoint's last probe reply said about partial TCP checksums. */
    void takesPartial(boolean takes) {
        if (takesPartial != takes) {
            takesPartial = takes;
        }
    }

    /**
     * Whether TCP segments to this VTEP may leave with only their pseudo-header sum in the checksum
     * field: its endpoint said so in its last probe reply ({@link Probe#FLAG_TAKES_PARTIAL}).
     */
    public boolean takesPartialChecksums() {
        return takesPartial;
    }

    void probeSent(boolean full) {
        (full ? fullProbesSent : probesSent).incrementAndGet();
    }

    void probeFailed(int errno) {
        probeErrors.incrementAndGet();
        lastProbeErrno = errno;
    }

    void probeAnswered(boolean full, long now, long rtt) {
        (full ? fullProbesAnswered : probesAnswered).incrementAndGet();
        (full ? lastFullReply : lastReply).set(now);
        lastRtt.set(rtt);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PortKind kind() {
        return PortKind.VTEP;
    }

    /** -1: the endpoint reads for every VTEP. */
    @Override
    public int pollFd() {
        return -1;
    }

    /**
     * True: this port takes frames with their virtio-net header, GSO super-frames and partial
     * checksums included, and does the segmenting and checksumming itself, so the switch hands them
     * over as they are.
     */
    @Override
    public boolean vnetHeader() {
        return true;
    }

    @Override
    public int vtepAddress() {
        return address;
    }

    @Override
    public int receive(Frame frame) {
        return NOTHING;
    }

    @Override
    public int send(Frame frame) {
        if (closed) {
            return -Errno.EBADF;
        }
        int lane = lanes.claim();
        try {
            Encapsulation encapsulation = lanes.scratch(lane);
            int count = encapsulation.prepare(frame, endpoint.options().vnis(), endpoint.options().maxInnerFrame());
            if (count < 0) {
                return count;
            }
            int fd = endpoint.sendFd(encapsulation.flowPort());
            boolean segment = endpoint.segmentation();
            for (int first = 0; first < count; ) {
                int n = encapsulation.fill(frame, first, address, port, segment, takesPartial);
                GsoMessages messages = encapsulation.messages();
                int sent = 0;
                while (sent < messages.count()) {
                    int k = messages.send(fd, sent);
                    if (k >= 0) {
                        sent += k;
                        continue;
                    }
                    int errno = Errno.last();
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    if (sent == 0 && encapsulation.segmentedMessages() > 0 && (errno == Errno.EINVAL || errno == Errno.EIO)) {
                        // The kernel would not cut this one (a route whose device cannot checksum,
                        // a path MTU below the segment): the same datagrams one by one, which
                        // either go or fail with the real reason (EMSGSIZE).
                        endpoint.segmentationRefused();
                        n = encapsulation.fill(frame, first, address, port, false, takesPartial);
                        continue;
                    }
                    return -errno;
                }
                endpoint.sent(n, encapsulation.filledBytes(), encapsulation.segmentedMessages());
                first += n;
            }
            return 0;
        } finally {
            lanes.release(lane);
        }
    }

    /** Detaches the port from its endpoint (whose sockets stay open for the other VTEPs); idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            endpoint.removed(this);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "VtepPort[" + name + " " + In.format(address) + ":" + port + "]";
    }
}
