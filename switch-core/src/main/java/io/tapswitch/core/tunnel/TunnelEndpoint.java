package io.tapswitch.core.tunnel;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.TunnelSource;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.PortKind;
import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.offload.Coalescer;
import io.tapswitch.core.sys.DatagramMessage;
import io.tapswitch.core.sys.GroMessages;
import io.tapswitch.core.sys.Udp;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.FileDescriptor;
import io.tapswitch.core.sys.Filter;
import io.tapswitch.core.sys.In;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.core.sys.Socket;
import io.tapswitch.core.sys.Unistd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The host's VXLAN tunnel endpoint (RFC 7348), as the switch port that receives for every remote
 * VTEP. Each remote VTEP is a port of its own, a {@link VtepPort} made by {@link #peer}; this port
 * only reads, and the switch attributes what it reads to the VTEP port of the sender.
 *
 * <p><b>Sockets.</b> A UDP socket bound to the underlay address and the tunnel port receives
 * (non-blocking; its descriptor is this port's {@link #pollFd()}), in bursts of up to
 * {@link #BATCH} datagrams per {@code recvmmsg}, each into its own frame, with each sender's
 * address. Frames leave through {@link SenderSockets}: UDP sockets on source ports of their own,
 * one picked per inner flow, so that the kernel can be handed a whole GSO frame's datagrams in one
 * send (UDP segmentation) while the outer source port still follows the inner flow (RFC 7348 §5).
 * Tunnel probes leave through a raw IPv4 socket of protocol UDP, whose datagrams name their source
 * port themselves: a reply goes to the port the request names. Every sending socket is set to
 * {@code IP_MTU_DISCOVER = IP_PMTUDISC_DO}, so every datagram leaves with DF and one larger than
 * the path MTU fails locally with EMSGSIZE instead of being fragmented (VTEPs must not fragment,
 * RFC 7348 §4.3; JDK 17's datagram channels cannot set DF). A raw socket of protocol UDP would
 * also be handed a copy of every UDP datagram the host receives, and a sending UDP socket whatever
 * reaches its port; a classic BPF program that accepts nothing keeps their queues empty. Opening
 * fails as a whole: what was opened is closed.
 *
 * <p><b>Receiving.</b> Each datagram is read so that its inner frame lands where a frame belongs in
 * the {@link Frame}, and taken apart by {@link Vxlan#decapsulate}: the I flag checked, the VNI
 * mapped to its VLAN ({@link VniMap}), an 802.1Q tag of that VLAN pushed for VLAN ≠ 0, the sender
 * recorded in {@link Frame#tunnelSource}. Datagrams that are no VXLAN, or whose VNI maps to no
 * VLAN, are handed on marked with their {@link io.tapswitch.core.port.Refusal}, so the switch
 * counts each against this port with its reason. UDP checksum 0 is accepted (the kernel does so
 * for IPv4 UDP). Tunnel health probes are never frames: they are answered or recorded here.
 *
 * <p><b>Health probes.</b> {@link #probe} sends a request on {@link VniMap#PROBE_VNI}, small or as
 * large as the underlay MTU allows with DF; an endpoint that receives a request answers at once
 * (small), and a reply updates the requesting peer's {@link ProbeStats}. The control plane sends a
 * pair every couple of seconds and reads {@link VtepPort#probes()} to tell "up" from "down" from
 * "mtu-bad". A kernel or OVS VTEP drops the reserved VNI, which is fine. Probes also carry what
 * the checksum shortcuts between tapswitch endpoints rest on ({@link Probe}): a peer whose probes
 * say it checksums every datagram is trusted, its segments merged without verifying them again;
 * a reply says whether the replier trusts the requester and merges, and then the requester's
 * {@link VtepPort} sends it partial TCP checksums. Trust is per address for the endpoint's life;
 * a peer that restarts trusts nobody until the first probe from the other side reaches it (about
 * a probe interval), and meanwhile drops partial-checksum segments sent on the strength of its
 * old self's reply.
 *
 * <p><b>Threads.</b> The switch's reading thread for this port calls {@link #receive} and answers
 * probe requests with scratch of its own; {@link #probe} and {@link #peer} are control-path calls
 * (synchronized). This port is never an egress: {@link #send} refuses with EOPNOTSUPP.
 */
public final class TunnelEndpoint implements Port {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelEndpoint.class);
    /** Datagrams one {@code recvmmsg} may read; {@code -Dtapswitch.receiveBatch} as for packet ports. */
    static final int BATCH = Math.max(1, Math.min(64, Integer.getInteger("tapswitch.receiveBatch", 8)));
    private static final int RECEIVE_BUFFER = 8 << 20;
    private static final int SEND_BUFFER = 4 << 20;
    /** Bursts one receive call may read that held only probes before it reports nothing. */
    private static final int MAX_ROUNDS = 8;
    private static final int OUTER = Vxlan.UDP_HEADER_LEN + Vxlan.HEADER_LEN;
    /** The IPv4 header the kernel puts in front of what the raw socket sends. */
    private static final int IP_HEADER = 20;
    /** Whether to send with UDP segmentation where the kernel has it; {@code -Dtapswitch.udpSegmentation=false} to compare. */
    static final boolean SEGMENTATION = !"false".equals(System.getProperty("tapswitch.udpSegmentation"));
    /** Whether to read with UDP GRO and merge TCP segments; {@code -Dtapswitch.udpGro=false} to compare. */
    static final boolean GRO = !"false".equals(System.getProperty("tapswitch.udpGro"));
    /** Reads one {@code recvmmsg} may take with GRO, each up to a 64 KB run of datagrams. */
    static final int GRO_READS = 8;
    /** Frames one receive call may return with GRO: enough for the bursts of a few flows at once. */
    static final int GRO_BATCH = 32;
    private static final int STAGE = 65536;
    /**
     * Whether to tell trusted peers they may send partial TCP checksums ({@link Probe#FLAG_TAKES_PARTIAL});
     * {@code -Dtapswitch.partialChecksums=false} to compare.
     */
    static final boolean PARTIAL = !"false".equals(System.getProperty("tapswitch.partialChecksums"));
    /** Trusted peer addresses remembered at most. */
    private static final int MAX_TRUSTED = 4096;

    private final String name;
    private final TunnelOptions options;
    private final int local;
    private final FileDescriptor udp;
    private final FileDescriptor raw;
    private final SenderSockets senders;
    /** Whether the receiving socket has UDP_GRO: then reads go through the staging area and the {@link Coalescer}. */
    private final boolean gro;
    private volatile VtepPort[] peers = new VtepPort[0];
    private volatile boolean closed;

    /** The reading thread's: receive messages, the one-frame array of {@link #receive(Frame)}, probe replies. */
    private final DatagramMessage received = new DatagramMessage(BATCH, 1);
    private final Frame[] single = new Frame[1];
    private final ByteBuffer reply = ByteBuffer.allocateDirect(OUTER + Probe.LEN).order(ByteOrder.BIG_ENDIAN);
    private final long replyAddress = Pointer.nativeValue(Native.getDirectBufferPointer(reply));
    private final DatagramMessage replyMessage = new DatagramMessage(1, 1);

    /** The control path's, guarded by {@link #requestLock}: a probe request up to the underlay MTU. */
    private final Object requestLock = new Object();
    private final ByteBuffer request;
    private final long requestAddress;
    private final DatagramMessage requestMessage = new DatagramMessage(1, 1);

    private final AtomicLong probesAnswered = new AtomicLong();
    private final AtomicLong probeReplyErrors = new AtomicLong();
    private final AtomicLong strayProbes = new AtomicLong();

    private final LongAdder datagramsSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder segmentedSends = new LongAdder();
    private final LongAdder segmentationRefused = new LongAdder();
    private final LongAdder partialDatagrams = new LongAdder();

    /*
     * The reading thread's, with GRO: the reads of one recvmmsg, each a run of datagrams of one
     * UDP flow, and how far the frames handed out so far have taken them (a run that gave more
     * frames than one call could return is finished by the next call).
     */
    private final GroMessages groMessages;
    private final ByteBuffer[] stage;
    private final long[] stageAddress;
    private final Coalescer coalescer = new Coalescer();
    /**
     * Addresses whose probes said their datagrams always carry a UDP checksum, kept for the
     * endpoint's life (a VTEP port may be removed and made again meanwhile); the reading thread's.
     */
    private int[] trustedAddresses = new int[8];
    private int trustedCount;
    private int pendingReads;
    private int pendingRead;
    private int pendingOffset;
    /* Written by the reading thread alone; read for stats without synchronization, so a little behind. */
    private long datagramsReceived;
    private long bytesReceived;
    private long groReads;
    private long mergedFrames;
    private long mergedSegments;

    private TunnelEndpoint(String name, TunnelOptions options, int local, FileDescriptor udp, FileDescriptor raw,
                           SenderSockets senders, boolean gro) {
        this.name = name;
        this.options = options;
        this.local = local;
        this.udp = udp;
        this.raw = raw;
        this.senders = senders;
        this.gro = gro;
        if (gro) {
            groMessages = new GroMessages(GRO_READS);
            stage = new ByteBuffer[GRO_READS];
            stageAddress = new long[GRO_READS];
            for (int i = 0; i < GRO_READS; i++) {
                stage[i] = ByteBuffer.allocateDirect(STAGE).order(ByteOrder.BIG_ENDIAN);
                stageAddress[i] = Pointer.nativeValue(Native.getDirectBufferPointer(stage[i]));
            }
        } else {
            groMessages = null;
            stage = null;
            stageAddress = null;
        }
        this.request = ByteBuffer.allocateDirect(options.underlayMtu()).order(ByteOrder.BIG_ENDIAN);
        this.requestAddress = Pointer.nativeValue(Native.getDirectBufferPointer(request));
    }

    /**
     * Opens the endpoint: binds UDP {@code options.local():options.port()} and opens the raw socket
     * it sends through. Needs CAP_NET_RAW. On failure everything opened is closed again.
     *
     * @param name the port's name in the switch
     * @throws NativeException when a socket cannot be made or bound (EADDRINUSE: another VTEP, a
     *                         kernel vxlan device for one, already holds that UDP port)
     */
    public static TunnelEndpoint open(String name, TunnelOptions options) throws NativeException {
        NetDevice.checkName(name);
        int local = In.address(options.local().getAddress());
        String where = In.format(local) + ":" + options.port();
        FileDescriptor udp = new FileDescriptor(Errno.check("socket(AF_INET, SOCK_DGRAM)", Socket.socket(Socket.AF_INET,
                Socket.SOCK_DGRAM | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, In.IPPROTO_UDP), where), "vxlan udp " + where);
        FileDescriptor raw = null;
        SenderSockets senders = null;
        try {
            int rcvbuf = setBuffer(udp, Socket.SO_RCVBUFFORCE, Socket.SO_RCVBUF, RECEIVE_BUFFER);
            bind(udp, local, options.port(), "bind(AF_INET, SOCK_DGRAM)", where);
            boolean gro = false;
            if (GRO) {
                Memory on = new Memory(4);
                on.setInt(0, 1);
                gro = Socket.setsockopt(udp.fd(), Udp.SOL_UDP, Udp.UDP_GRO, on, 4) == 0;
            }
            raw = new FileDescriptor(Errno.check("socket(AF_INET, SOCK_RAW, IPPROTO_UDP)", Socket.socket(Socket.AF_INET,
                    Socket.SOCK_RAW | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, In.IPPROTO_UDP), where), "vxlan raw " + where);
            // Accept nothing: this socket only sends, and would otherwise queue a copy of every UDP
            // datagram the host receives.
            Memory rejectAll = Filter.program(Filter.insn(Filter.BPF_RET | Filter.BPF_K, 0, 0, 0));
            Errno.check("setsockopt(SO_ATTACH_FILTER)", Socket.setsockopt(raw.fd(), Socket.SOL_SOCKET,
                    Socket.SO_ATTACH_FILTER, rejectAll, Filter.SIZEOF_SOCK_FPROG), where);
            Memory value = new Memory(4);
            value.setInt(0, In.IP_PMTUDISC_DO);
            Errno.check("setsockopt(IP_MTU_DISCOVER)", Socket.setsockopt(raw.fd(), In.IPPROTO_IP, In.IP_MTU_DISCOVER,
                    value, 4), where);
            if (local != In.INADDR_ANY) {
                bind(raw, local, 0, "bind(AF_INET, SOCK_RAW)", where);
            }
            int sndbuf = setBuffer(raw, Socket.SO_SNDBUFFORCE, Socket.SO_SNDBUF, SEND_BUFFER);
            drain(raw);
            senders = SenderSockets.open(local, SEGMENTATION, where);
            LOG.info("tunnel {}: VXLAN on {}, underlay MTU {} (inner frames up to {} bytes), {}, DF on every datagram,"
                            + " rcvbuf {} KB, sndbuf {} KB, {} send sockets, UDP segmentation {}, UDP GRO {}", name, where,
                    options.underlayMtu(), options.maxInnerFrame(), options.vnis(), rcvbuf >> 10, sndbuf >> 10,
                    SenderSockets.COUNT, senders.segmentation() ? "on" : SEGMENTATION ? "not available" : "off",
                    gro ? "on" : GRO ? "not available" : "off");
            return new TunnelEndpoint(name, options, local, udp, raw, senders, gro);
        } catch (NativeException | RuntimeException e) {
            if (senders != null) {
                senders.close();
            }
            if (raw != null) {
                raw.close();
            }
            udp.close();
            throw e;
        }
    }

    private static void bind(FileDescriptor fd, int address, int port, String call, String where) throws NativeException {
        Memory sa = new Memory(In.SIZEOF_SOCKADDR_IN);
        In.putSockaddrIn(sa.getByteBuffer(0, In.SIZEOF_SOCKADDR_IN), 0, address, port);
        Errno.check(call, Socket.bind(fd.fd(), sa, In.SIZEOF_SOCKADDR_IN), where);
    }

    /** As for packet ports: asks for {@code bytes}, beyond the sysctl limit when privileged; returns what was granted. */
    private static int setBuffer(FileDescriptor fd, int force, int plain, int bytes) {
        Memory value = new Memory(4);
        value.setInt(0, bytes);
        if (Socket.setsockopt(fd.fd(), Socket.SOL_SOCKET, force, value, 4) != 0) {
            Socket.setsockopt(fd.fd(), Socket.SOL_SOCKET, plain, value, 4);
        }
        Memory len = new Memory(4);
        len.setInt(0, 4);
        value.setInt(0, 0);
        Socket.getsockopt(fd.fd(), Socket.SOL_SOCKET, plain, value, len);
        return value.getInt(0);
    }

    /** Discards what reached the raw socket before its filter was attached. */
    private static void drain(FileDescriptor fd) {
        Memory scratch = new Memory(2048);
        for (int i = 0; i < 1024 && Unistd.read(fd.fd(), Pointer.nativeValue(scratch), scratch.size()) >= 0; i++) {
            // nothing: it is only emptied
        }
    }

    /** The options it was opened with. */
    public TunnelOptions options() {
        return options;
    }

    /**
     * Makes the port of a remote VTEP at {@code address}:{@code port}; add it to the switch to
     * reach that VTEP. A VTEP is told apart from the others by its address (its datagrams' source
     * ports are flow hashes), so there is one port per address.
     *
     * @throws IllegalArgumentException for a bad name or port, an address that cannot be a VTEP's
     *                                  (0.0.0.0, multicast, broadcast, this endpoint's own), or one
     *                                  that already has a port
     */
    public synchronized VtepPort peer(String name, Inet4Address address, int port) {
        if (closed) {
            throw new IllegalStateException("tunnel " + this.name + " is closed");
        }
        NetDevice.checkName(name);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " is outside 1-65535");
        }
        int a = In.address(address.getAddress());
        if (a == 0 || address.isMulticastAddress() || a == -1 || a == local) {
            throw new IllegalArgumentException("address: " + In.format(a) + " cannot be a remote VTEP's");
        }
        for (VtepPort p : peers) {
            if (p.vtepAddress() == a) {
                throw new IllegalArgumentException("address: VTEP " + In.format(a) + " already has port " + p.name());
            }
        }
        VtepPort p = new VtepPort(this, name, address, port);
        VtepPort[] next = Arrays.copyOf(peers, peers.length + 1);
        next[next.length - 1] = p;
        peers = next;
        return p;
    }

    /** {@link #peer(String, Inet4Address, int)} at this endpoint's own port. */
    public VtepPort peer(String name, Inet4Address address) {
        return peer(name, address, options.port());
    }

    /** The VTEP ports made here and not closed. */
    public List<VtepPort> peers() {
        return List.of(peers);
    }

    synchronized void removed(VtepPort p) {
        peers = Arrays.stream(peers).filter(x -> x != p).toArray(VtepPort[]::new);
    }

    private VtepPort peerAt(int address) {
        for (VtepPort p : peers) {
            if (p.vtepAddress() == address) {
                return p;
            }
        }
        return null;
    }

    /** The socket the VTEP ports send a frame of flow hash {@code flowPort} through; -1 once closed. */
    int sendFd(int flowPort) {
        return senders.fd(flowPort);
    }

    /** Whether VTEP ports may have the kernel cut runs of datagrams (UDP segmentation). */
    boolean segmentation() {
        return senders.segmentation();
    }

    /**
     * A VTEP port sent {@code datagrams} datagrams of {@code bytes} UDP payload bytes in
     * {@code segmented} cut runs, to a peer that takes partial TCP checksums if {@code partial}.
     */
    void sent(int datagrams, int bytes, int segmented, boolean partial) {
        datagramsSent.add(datagrams);
        if (partial) {
            partialDatagrams.add(datagrams);
        }
        bytesSent.add(bytes);
        if (segmented > 0) {
            segmentedSends.add(segmented);
        }
    }

    /** The kernel refused to cut a run, which a VTEP port then sent datagram by datagram. */
    void segmentationRefused() {
        segmentationRefused.increment();
    }

    /** What went through this endpoint so far, for every VTEP port together. */
    public TunnelStats stats() {
        return new TunnelStats(datagramsSent.sum(), bytesSent.sum(), segmentedSends.sum(), segmentationRefused.sum(),
                senders.segmentation(), partialDatagrams.sum(), datagramsReceived, bytesReceived, groReads, mergedFrames,
                mergedSegments, gro);
    }

    /**
     * Sends a health probe request to {@code peer}: small, or {@code fullSize} (a datagram of
     * exactly the underlay MTU, DF set, which a path with a smaller MTU drops). The reply, if one
     * comes, shows in {@link VtepPort#probes()}. Returns whether the kernel took the request; a
     * refusal is counted there too.
     */
    public boolean probe(VtepPort peer, boolean fullSize, int seq) {
        if (peer.endpoint() != this) {
            throw new IllegalArgumentException("peer " + peer.name() + " belongs to another tunnel endpoint");
        }
        int body = fullSize ? options.underlayMtu() - IP_HEADER - OUTER : Probe.LEN;
        synchronized (requestLock) {
            Vxlan.writeHeaders(request, 0, options.port(), peer.port(), VniMap.PROBE_VNI, body);
            Probe.write(request, OUTER, Probe.REQUEST, fullSize, seq, options.port(), System.nanoTime());
            requestMessage.prepareSend(0, peer.vtepAddress(), peer.port(), 1);
            requestMessage.setPiece(0, 0, requestAddress, OUTER + body);
            int sent = requestMessage.sendMany(raw.fd(), 0, 1);
            if (sent < 1) {
                peer.probeFailed(sent < 0 ? Errno.last() : Errno.EAGAIN);
                return false;
            }
        }
        peer.probeSent(fullSize);
        return true;
    }

    /** Probe requests from other endpoints this one answered. */
    public long probesAnswered() {
        return probesAnswered.get();
    }

    /** Probe replies the kernel refused to send. */
    public long probeReplyErrors() {
        return probeReplyErrors.get();
    }

    /** Datagrams on the probe VNI that were no probe, or replies from an address that has no VTEP port. */
    public long strayProbes() {
        return strayProbes.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PortKind kind() {
        return PortKind.TUNNEL;
    }

    @Override
    public int pollFd() {
        return udp.fd();
    }

    /** False: frames it reads carry no offload (the vnet header is cleared); it never sends frames. */
    @Override
    public boolean vnetHeader() {
        return false;
    }

    @Override
    public int receiveBatch() {
        return gro ? GRO_BATCH : BATCH;
    }

    /** Reads one datagram as {@link #receive(Frame[], int)} does. */
    @Override
    public int receive(Frame frame) {
        single[0] = frame;
        int n = receive(single, 1);
        single[0] = null;
        return n > 0 ? frame.length() : n;
    }

    /**
     * Reads up to {@code max} datagrams with one {@code recvmmsg} and returns how many frames they
     * gave (see {@link Port#receive(Frame[], int)}): decapsulated frames, and refused ones marked
     * with their reason; probes are handled here and not returned. Returns {@link #NOTHING} when
     * nothing is queued, or a negated errno when the socket failed.
     */
    @Override
    public int receive(Frame[] frames, int max) {
        if (gro) {
            return receiveMerged(frames, Math.min(max, frames.length));
        }
        int count = Math.min(Math.min(max, frames.length), BATCH);
        VniMap vnis = options.vnis();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            for (int i = 0; i < count; i++) {
                Frame f = frames[i];
                int at = f.frame() - Vxlan.HEADER_LEN;
                received.prepareReceive(i, f.address() + at, f.readCapacity() - (at - f.start()));
            }
            int k = received.receiveMany(udp.fd(), count);
            if (k < 0) {
                int errno = Errno.last();
                return Errno.isTransient(errno) ? NOTHING : -errno;
            }
            if (k == 0) {
                return NOTHING;
            }
            int kept = 0;
            for (int i = 0; i < k && i < count; i++) {
                Frame f = frames[i];
                int from = received.sourceAddress(i);
                long source = TunnelSource.of(from, received.sourcePort(i));
                int length = (int) Math.min(received.length(i), Integer.MAX_VALUE);
                int outcome = received.truncated(i)
                        ? Vxlan.decapsulate(f, 0, vnis, source) // cut short: refused as malformed
                        : Vxlan.decapsulate(f, length, vnis, source);
                if (outcome == Vxlan.PROBE) {
                    probeReceived(f, length - Vxlan.HEADER_LEN, from);
                    continue;
                }
                if (kept != i) {
                    // Keep the frames read in front, in order; the probe's slot goes behind.
                    frames[i] = frames[kept];
                    frames[kept] = f;
                }
                kept++;
            }
            if (kept > 0) {
                return kept;
            }
        }
        return NOTHING;
    }

    /**
     * {@link #receive(Frame[], int)} with UDP GRO: up to {@link #GRO_READS} runs of datagrams are read
     * into the staging buffers with one {@code recvmmsg}, then taken apart datagram by datagram.
     * Each datagram is copied into the next frame and decapsulated as without GRO; a TCP segment
     * that continues the frame before it (same sender, same VNI, the flow's next segment) is merged
     * into that frame by the {@link Coalescer} instead. Returns when the frames are used up (the
     * rest of the reads waits for the next call) or the socket is empty.
     *
     * <p>So datagrams can wait here, read but not yet handed out, while the socket polls empty: a
     * caller must keep calling until it gets {@link #NOTHING} before it polls again; the
     * {@code EventLoop} serves a port its budget stopped again in the next pass for that. That only happens when one call's reads hold more datagrams that do
     * not merge than {@link #GRO_BATCH} frames take (a burst of small UDP datagrams, say).
     */
    private int receiveMerged(Frame[] frames, int count) {
        VniMap vnis = options.vnis();
        int out = 0;
        int reads = 0;
        long openSource = 0;
        int openVni = -1;
        boolean open = false;
        // The sender last looked up, and whether its datagrams come UDP-checksummed, so that inner
        // checksums need no second verification (looked up once per sender and call).
        int trustFrom = -1;
        boolean trusted = false;
        while (out < count || open) {
            if (pendingRead >= pendingReads) {
                if (reads++ == MAX_ROUNDS) {
                    break;
                }
                for (int i = 0; i < GRO_READS; i++) {
                    groMessages.prepare(i, stageAddress[i], STAGE);
                }
                int k = groMessages.receive(udp.fd(), GRO_READS);
                if (k <= 0) {
                    int errno = k < 0 ? Errno.last() : Errno.EAGAIN;
                    if (out > 0 || open || Errno.isTransient(errno)) {
                        break;
                    }
                    return -errno;
                }
                pendingReads = Math.min(k, GRO_READS);
                pendingRead = 0;
                pendingOffset = 0;
                for (int i = 0; i < pendingReads; i++) {
                    int size = groMessages.segmentSize(i);
                    groReads += size > 0 && size < groMessages.length(i) ? 1 : 0;
                }
            }
            int r = pendingRead;
            ByteBuffer st = stage[r];
            int total = (int) Math.min(groMessages.length(r), STAGE);
            int size = groMessages.segmentSize(r);
            if (size <= 0 || size > total) {
                size = total;
            }
            int at = pendingOffset;
            int length = Math.min(size, total - at);
            int from = groMessages.sourceAddress(r);
            long source = TunnelSource.of(from, groMessages.sourcePort(r));
            if (from != trustFrom) {
                trustFrom = from;
                trusted = trusts(from);
            }
            boolean truncated = groMessages.truncated(r);
            if (open) {
                if (!truncated && source == openSource && length >= Vxlan.HEADER_LEN + Ethernet.HEADER_LEN
                        && Vxlan.hasVni(st, at) && Vxlan.vni(st, at) == openVni
                        && coalescer.append(st, at + Vxlan.HEADER_LEN, length - Vxlan.HEADER_LEN)) {
                    advance(at + length, total);
                    datagramsReceived++;
                    bytesReceived += length;
                    continue;
                }
                finishMerged();
                open = false;
                if (out == count) {
                    break;
                }
            }
            advance(at + length, total);
            datagramsReceived++;
            bytesReceived += length;
            Frame f = frames[out];
            int into = f.frame() - Vxlan.HEADER_LEN;
            f.buffer().put(into, st, at, Math.min(length, f.readCapacity() - (into - f.start())));
            int outcome = truncated ? Vxlan.decapsulate(f, 0, vnis, source) : Vxlan.decapsulate(f, length, vnis, source);
            if (outcome == Vxlan.PROBE) {
                probeReceived(f, length - Vxlan.HEADER_LEN, from);
                continue; // the frame is free again: a probe leaves it as it was, but for its bytes
            }
            out++;
            if (outcome == Vxlan.FRAME && coalescer.begin(f, !trusted)) {
                open = true;
                openSource = source;
                openVni = Vxlan.vni(st, at);
            }
        }
        if (open) {
            finishMerged();
        }
        return out;
    }

    /** Whether {@code address}'s probes said its datagrams always carry a UDP checksum. */
    private boolean trusts(int address) {
        for (int i = 0; i < trustedCount; i++) {
            if (trustedAddresses[i] == address) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records that {@code address} always checksums its datagrams (control-rate: from probes), if
     * it is a peer's: a probe from anywhere else is not enough, so the list stays as short as the
     * list of peers there ever were.
     */
    private void trust(int address) {
        if (trusts(address) || peerAt(address) == null || trustedCount == MAX_TRUSTED) {
            return;
        }
        if (trustedCount == trustedAddresses.length) {
            trustedAddresses = Arrays.copyOf(trustedAddresses, trustedAddresses.length * 2);
        }
        trustedAddresses[trustedCount++] = address;
    }

    /** Moves the read position past a datagram that ended at {@code next} of a read of {@code total} bytes. */
    private void advance(int next, int total) {
        if (next >= total) {
            pendingRead++;
            pendingOffset = 0;
        } else {
            pendingOffset = next;
        }
    }

    private void finishMerged() {
        int n = coalescer.finish();
        if (n > 1) {
            mergedFrames++;
            mergedSegments += n;
        }
    }

    /** A probe of {@code length} bytes at the frame's Ethernet offset, from {@code from}: answered, or recorded. */
    private void probeReceived(Frame f, int length, int from) {
        ByteBuffer buf = f.buffer();
        int at = f.frame();
        int type = Probe.type(buf, at, length);
        if (type > 0 && Probe.checksummed(buf, at)) {
            trust(from);
        }
        if (type == Probe.REQUEST) {
            int replyPort = Probe.replyPort(buf, at);
            Vxlan.writeHeaders(reply, 0, options.port(), replyPort, VniMap.PROBE_VNI, Probe.LEN);
            Probe.write(reply, OUTER, Probe.REPLY, Probe.full(buf, at), Probe.seq(buf, at), options.port(),
                    Probe.sent(buf, at), PARTIAL && gro && trusts(from));
            replyMessage.prepareSend(0, from, replyPort, 1);
            replyMessage.setPiece(0, 0, replyAddress, OUTER + Probe.LEN);
            if (replyMessage.sendMany(raw.fd(), 0, 1) == 1) {
                probesAnswered.incrementAndGet();
            } else {
                probeReplyErrors.incrementAndGet();
            }
            return;
        }
        VtepPort peer = type == Probe.REPLY ? peerAt(from) : null;
        if (peer == null) {
            strayProbes.incrementAndGet();
            return;
        }
        long now = System.nanoTime();
        peer.probeAnswered(Probe.full(buf, at), now, now - Probe.sent(buf, at));
        peer.takesPartial(Probe.takesPartial(buf, at));
    }

    /** Never an egress: refused. */
    @Override
    public int send(Frame frame) {
        return -Errno.EOPNOTSUPP;
    }

    /**
     * Closes both sockets; idempotent. VTEP ports made here fail their sends from then on, so the
     * switch removes them first.
     */
    @Override
    public void close() {
        closed = true;
        udp.close();
        raw.close();
        senders.close();
    }

    @Override
    public String toString() {
        return "TunnelEndpoint[" + name + " " + In.format(local) + ":" + options.port() + "]";
    }
}
