package io.tapswitch.core.port;

import com.sun.jna.Memory;
import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.FileDescriptor;
import io.tapswitch.core.sys.Filter;
import io.tapswitch.core.sys.IfPacket;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.core.sys.NetIf;
import io.tapswitch.core.sys.ReceiveMessage;
import io.tapswitch.core.sys.SendMessages;
import io.tapswitch.core.sys.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AF_PACKET socket on an existing interface: the netdev side of a TAP that QEMU holds the fd
 * of, one end of a veth pair, or a NIC.
 *
 * <p><b>What the socket sees.</b> It is a raw packet socket bound to the interface's index for
 * every protocol, with a promiscuous membership so that a NIC's address filter hides nothing. It is
 * created with protocol 0 and given {@code ETH_P_ALL} only when bound, so no frame of another
 * interface can queue on it while it is being set up. A packet socket is also shown what its
 * interface transmits, which here means what the switch itself sent; those frames are kept out by
 * the kernel with {@code PACKET_IGNORE_OUTGOING} (Linux 4.20 and later), else by a classic BPF
 * filter that drops {@code PACKET_OUTGOING}, and in any case by a check of {@code sll_pkttype}
 * on each frame read.
 *
 * <p><b>What a frame looks like.</b> With {@code PACKET_VNET_HDR} each frame read or written carries
 * the 10-byte virtio-net header, so partial-checksum and GSO super-frames cross the switch whole, as
 * on a TAP opened with IFF_VNET_HDR; when the kernel refuses it the port works without offloads and
 * says so once. With {@code PACKET_AUXDATA} every read also reports a VLAN tag the kernel stripped
 * into metadata, and the tag is put back after the source MAC ({@link StrippedTag}).
 *
 * <p><b>When the interface goes away.</b> When the interface goes down or is deleted the kernel
 * reports ENETDOWN once on the socket, and sends fail with ENETDOWN or ENXIO. {@link #receive}
 * then returns the negated errno, so the switch's event loop marks the port down and calls again
 * about once a second, and the port enters a failed state. In that state a call that finds no frame
 * looks the interface up by name, at most once a second: while it is missing or down, the call
 * returns -ENODEV or -ENETDOWN; once it is up again the call returns {@link #NOTHING} and frames
 * flow as before (a frame read ends the failed state too). If the interface came back as a new
 * interface of the same name (a new ifindex, as after QEMU restarts and recreates its TAP), the same
 * socket is first bound to the new index and its promiscuous membership renewed. Re-binding rather
 * than reopening keeps {@link #pollFd()} the same for the port's whole life, so no other thread can
 * ever hold a descriptor number that was closed and reused.
 *
 * <p><b>Threads.</b> One thread reads ({@link #receive} and its failed-state bookkeeping use
 * unsynchronized scratch that belongs to it); any thread may {@link #send}, which is one
 * {@code sendto} on the bound socket and shares nothing mutable, or send a burst with one
 * {@code sendmmsg} from arguments the caller owns ({@link #send(SendMessages, int, int)}).
 */
public final class PacketPort implements Port {
    private static final Logger LOG = LoggerFactory.getLogger(PacketPort.class);
    private static final int RECEIVE_BUFFER = 8 << 20;
    private static final int SEND_BUFFER = 4 << 20;
    /** Frames a single receive call may discard (own, truncated, runt) before reporting nothing. */
    private static final int MAX_DISCARDS = 64;
    /**
     * Frames one {@code recvmmsg} may read: a burst of small frames costs one system call, not one
     * each. {@code -Dtapswitch.receiveBatch=1} reads one frame per {@code recvmsg} instead.
     */
    static final int BATCH = Math.max(1, Math.min(64, Integer.getInteger("tapswitch.receiveBatch", 8)));

    private static final boolean SEND_BATCHES = !"false".equals(System.getProperty("tapswitch.sendBatch"));

    /** How the port keeps the frames its interface transmits (its own sends) out of its input. */
    public enum OutgoingFilter {
        /** The kernel does not offer them ({@code PACKET_IGNORE_OUTGOING}). */
        IGNORE_OUTGOING,
        /** A classic BPF program drops them in the kernel. */
        BPF,
        /** Only the per-frame {@code sll_pkttype} check drops them, after they were copied. */
        PKTTYPE_CHECK
    }

    private final String name;
    private final FileDescriptor fd;
    private final boolean vnetHeader;
    private final boolean auxdata;
    private final OutgoingFilter outgoing;
    private final ReceiveMessage message = new ReceiveMessage(BATCH);
    private final DeviceRecovery recovery = new DeviceRecovery(this::reattach);

    private PacketPort(String name, FileDescriptor fd, boolean vnetHeader, boolean auxdata, OutgoingFilter outgoing) {
        this.name = name;
        this.fd = fd;
        this.vnetHeader = vnetHeader;
        this.auxdata = auxdata;
        this.outgoing = outgoing;
    }

    /** Opens a port on interface {@code name} with offloads negotiated; see {@link #open(String, boolean)}. */
    public static PacketPort open(String name) throws NativeException {
        return open(name, true);
    }

    /**
     * Opens a port on the existing interface {@code name}. The interface is neither created nor
     * brought up here. Throws ENODEV when there is no such interface, and closes the socket on any
     * failure.
     *
     * @param offload negotiate the virtio-net header (true in production)
     */
    public static PacketPort open(String name, boolean offload) throws NativeException {
        NetDevice.checkName(name);
        int raw = Errno.check("socket(AF_PACKET)", Socket.socket(Socket.AF_PACKET,
                Socket.SOCK_RAW | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, 0), name);
        FileDescriptor fd = new FileDescriptor(raw, "packet " + name);
        try {
            int ifindex = NetDevice.index(name);
            boolean vnet = false;
            if (offload) {
                int errno = enable(fd, IfPacket.PACKET_VNET_HDR);
                vnet = errno == 0;
                if (!vnet) {
                    LOG.warn("port {}: PACKET_VNET_HDR refused ({}), frames cross without offloads", name,
                            Errno.describe(errno));
                }
            }
            boolean aux = enable(fd, IfPacket.PACKET_AUXDATA) == 0;
            OutgoingFilter outgoing = filterOutgoing(fd);
            int rcvbuf = setBuffer(fd, Socket.SO_RCVBUFFORCE, Socket.SO_RCVBUF, RECEIVE_BUFFER);
            int sndbuf = setBuffer(fd, Socket.SO_SNDBUFFORCE, Socket.SO_SNDBUF, SEND_BUFFER);
            bind(fd, ifindex, name);
            LOG.info("port {}: AF_PACKET on ifindex {}, vnet header {}, auxdata {}, own frames dropped by {},"
                            + " promiscuous, rcvbuf {} KB, sndbuf {} KB", name, ifindex, vnet ? "on" : "off",
                    aux ? "on (VLAN tags restored)" : "off (stripped VLAN tags lost)", outgoing, rcvbuf >> 10,
                    sndbuf >> 10);
            return new PacketPort(name, fd, vnet, aux, outgoing);
        } catch (NativeException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Sets a boolean SOL_PACKET option; returns 0 or the errno that refused it. */
    private static int enable(FileDescriptor fd, int option) {
        Memory one = new Memory(4);
        one.setInt(0, 1);
        return Socket.setsockopt(fd.fd(), IfPacket.SOL_PACKET, option, one, 4) == 0 ? 0 : Errno.last();
    }

    private static OutgoingFilter filterOutgoing(FileDescriptor fd) {
        if (enable(fd, IfPacket.PACKET_IGNORE_OUTGOING) == 0) {
            return OutgoingFilter.IGNORE_OUTGOING;
        }
        Memory program = Filter.program(
                Filter.insn(Filter.BPF_LD | Filter.BPF_H | Filter.BPF_ABS, 0, 0, Filter.SKF_AD_OFF + Filter.SKF_AD_PKTTYPE),
                Filter.insn(Filter.BPF_JMP | Filter.BPF_JEQ | Filter.BPF_K, 0, 1, IfPacket.PACKET_OUTGOING),
                Filter.insn(Filter.BPF_RET | Filter.BPF_K, 0, 0, 0),
                Filter.insn(Filter.BPF_RET | Filter.BPF_K, 0, 0, -1));
        if (Socket.setsockopt(fd.fd(), Socket.SOL_SOCKET, Socket.SO_ATTACH_FILTER, program, Filter.SIZEOF_SOCK_FPROG) == 0) {
            return OutgoingFilter.BPF;
        }
        return OutgoingFilter.PKTTYPE_CHECK;
    }

    /**
     * Asks for {@code bytes} of socket buffer, beyond {@code net.core.*mem_max} when privileged;
     * returns what the kernel granted (it doubles the request for bookkeeping).
     */
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

    /**
     * Makes {@code ifindex} promiscuous for this socket, then binds the socket to it for all
     * protocols. Membership comes first so that a failure between the two leaves the socket bound
     * elsewhere, and the next recovery attempt repeats both.
     */
    private static void bind(FileDescriptor fd, int ifindex, String name) throws NativeException {
        Memory mreq = new Memory(IfPacket.SIZEOF_PACKET_MREQ);
        mreq.clear();
        mreq.setInt(IfPacket.MR_IFINDEX, ifindex);
        mreq.setShort(IfPacket.MR_TYPE, (short) IfPacket.PACKET_MR_PROMISC);
        Errno.check("setsockopt(PACKET_ADD_MEMBERSHIP)", Socket.setsockopt(fd.fd(), IfPacket.SOL_PACKET,
                IfPacket.PACKET_ADD_MEMBERSHIP, mreq, IfPacket.SIZEOF_PACKET_MREQ), name);
        Memory sll = new Memory(IfPacket.SIZEOF_SOCKADDR_LL);
        sll.clear();
        sll.setShort(IfPacket.SLL_FAMILY, (short) Socket.AF_PACKET);
        sll.setByte(IfPacket.SLL_PROTOCOL, (byte) (IfPacket.ETH_P_ALL >>> 8));
        sll.setByte(IfPacket.SLL_PROTOCOL + 1, (byte) IfPacket.ETH_P_ALL);
        sll.setInt(IfPacket.SLL_IFINDEX, ifindex);
        Errno.check("bind(AF_PACKET)", Socket.bind(fd.fd(), sll, IfPacket.SIZEOF_SOCKADDR_LL), name);
    }

    /**
     * The interface index the socket is bound to; -1 after that interface was deleted (the kernel
     * forgets the binding) or once the port is closed.
     */
    public int boundIndex() {
        Memory sll = new Memory(IfPacket.SIZEOF_SOCKADDR_LL);
        sll.clear();
        Memory len = new Memory(4);
        len.setInt(0, IfPacket.SIZEOF_SOCKADDR_LL);
        if (Socket.getsockname(fd.fd(), sll, len) != 0) {
            return -1;
        }
        int index = sll.getInt(IfPacket.SLL_IFINDEX);
        return index > 0 ? index : -1;
    }

    /** Sets or clears the interface's IFF_UP. */
    public void setLinkUp(boolean up) throws NativeException {
        NetDevice.setUp(name, up);
    }

    public OutgoingFilter outgoingFilter() {
        return outgoing;
    }

    /** Whether received frames get the VLAN tags the kernel stripped put back. */
    public boolean restoresVlanTags() {
        return auxdata;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PortKind kind() {
        return PortKind.NETDEV;
    }

    @Override
    public int pollFd() {
        return fd.fd();
    }

    @Override
    public boolean vnetHeader() {
        return vnetHeader;
    }

    /**
     * Reads one frame (see {@link Port#receive}). Frames the interface transmitted, frames longer
     * than the buffer and runts are discarded. In the failed state (see the class comment) a frame
     * read ends that state; when there is none, the interface is looked at, at most once a second,
     * and its negated errno is returned while it is not back. Reading before looking means a socket
     * that has frames again is never reported failed, so a poller never spins on a readable socket.
     */
    @Override
    public int receive(Frame frame) {
        int header = vnetHeader ? VnetHeader.LEN : 0;
        int at = frame.frame() - header;
        long capacity = frame.readCapacity() - (at - frame.start());
        for (int discarded = 0; discarded < MAX_DISCARDS; discarded++) {
            long n = message.receive(fd.fd(), frame.address() + at, capacity);
            if (n < 0) {
                return receiveFailed(Errno.last());
            }
            if (accept(frame, 0, n)) {
                return frame.length();
            }
        }
        return NOTHING;
    }

    /**
     * What a receive returns for {@code errno}: nothing to read, for a transient errno (the poller
     * tries again; or the failed state's errno while the interface is not back), and for an
     * interface that went down or away, the failed state.
     */
    private int receiveFailed(int errno) {
        if (Errno.isTransient(errno)) {
            return recovery.usable() ? NOTHING : -recovery.errno();
        }
        if (errno == Errno.ENETDOWN || errno == Errno.ENXIO || errno == Errno.ENODEV) {
            recovery.failed(errno);
        }
        return -errno;
    }

    @Override
    public int receiveBatch() {
        return BATCH;
    }

    /**
     * Reads a burst of up to {@code max} frames with one {@code recvmmsg} (see
     * {@link Port#receive(Frame[], int)}), with the same discarding, failed-state and VLAN-tag
     * handling as {@link #receive(Frame)}.
     */
    @Override
    public int receive(Frame[] frames, int max) {
        int count = Math.min(Math.min(max, frames.length), BATCH);
        if (count <= 1) {
            int n = receive(frames[0]);
            return n > 0 ? 1 : n;
        }
        int header = vnetHeader ? VnetHeader.LEN : 0;
        for (int discarded = 0; discarded < MAX_DISCARDS; ) {
            for (int i = 0; i < count; i++) {
                Frame f = frames[i];
                int at = f.frame() - header;
                message.prepare(i, f.address() + at, f.readCapacity() - (at - f.start()));
            }
            int k = message.receiveMany(fd.fd(), count);
            if (k < 0) {
                return receiveFailed(Errno.last());
            }
            int kept = 0;
            for (int i = 0; i < k && i < count; i++) {
                if (!accept(frames[i], i, message.length(i))) {
                    discarded++;
                    continue;
                }
                if (kept != i) {
                    // Keep what was read in front, in order; the skipped frame's slot goes behind.
                    Frame f = frames[kept];
                    frames[kept] = frames[i];
                    frames[i] = f;
                }
                kept++;
            }
            if (kept > 0) {
                return kept;
            }
            if (k == 0) {
                return NOTHING;
            }
        }
        return NOTHING;
    }

    /**
     * Completes the frame the kernel put in {@code frame} from message slot {@code slot}, {@code n}
     * bytes with the vnet header: false (discard it) for the interface's own transmissions, frames
     * cut short and runts.
     */
    private boolean accept(Frame frame, int slot, long n) {
        int header = vnetHeader ? VnetHeader.LEN : 0;
        if (n < header + Ethernet.HEADER_LEN || message.truncated(slot)
                || message.packetType(slot) == IfPacket.PACKET_OUTGOING) {
            return false;
        }
        recovery.clear();
        if (vnetHeader) {
            frame.received((int) n);
        } else {
            VnetHeader.clear(frame.buffer(), frame.start());
            frame.setLength((int) n);
        }
        if (auxdata && message.readAuxdata(slot) && StrippedTag.present(message.auxStatus(), message.vlanTci())) {
            StrippedTag.restore(frame, StrippedTag.tpid(message.auxStatus(), message.vlanTpid()), message.vlanTci());
        }
        return true;
    }

    /**
     * The failed state's look at the interface (see {@link DeviceRecovery}): 0 when it is usable
     * again, re-binding the socket when it came back with a new index; else ENETDOWN while it is
     * down, or the errno of looking it up (ENODEV while it is missing). This allocates, which is
     * acceptable at once a second on a port that carries no traffic.
     */
    private int reattach(int failedErrno) {
        try {
            int ifindex = NetDevice.index(name);
            if (boundIndex() != ifindex) {
                bind(fd, ifindex, name);
                LOG.info("port {}: interface is back as ifindex {}; socket re-bound", name, ifindex);
            }
            if ((NetDevice.flags(name) & NetIf.IFF_UP) == 0) {
                return Errno.ENETDOWN;
            }
        } catch (NativeException e) {
            return e.errno();
        }
        return 0;
    }

    @Override
    public int send(Frame frame) {
        long n;
        if (vnetHeader) {
            n = Socket.sendto(fd.fd(), frame.address() + frame.start(), VnetHeader.LEN + frame.length(), 0, 0, 0);
        } else {
            n = Socket.sendto(fd.fd(), frame.address() + frame.frame(), frame.length(), 0, 0, 0);
        }
        return n < 0 ? -Errno.last() : 0;
    }

    /**
     * On by default; {@code -Dtapswitch.sendBatch=false} makes the loops send each frame with its
     * own {@code sendto}, to compare the two.
     */
    @Override
    public boolean sendsBatches() {
        return SEND_BATCHES;
    }

    @Override
    public int send(SendMessages messages, int from, int count) {
        int n = messages.sendMany(fd.fd(), from, count);
        return n < 0 ? -Errno.last() : n;
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "PacketPort[" + name + "]";
    }
}
