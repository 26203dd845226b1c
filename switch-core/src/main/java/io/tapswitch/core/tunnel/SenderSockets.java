package io.tapswitch.core.tunnel;

import com.sun.jna.Memory;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.FileDescriptor;
import io.tapswitch.core.sys.Filter;
import io.tapswitch.core.sys.In;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.Socket;
import io.tapswitch.core.sys.Udp;

/**
 * The UDP sockets a tunnel endpoint sends its VXLAN datagrams through: {@link #COUNT} of them, each
 * bound to the underlay address and a source port of its own in 49152–65535, chosen per frame by
 * the hash of its inner flow.
 *
 * <p><b>Why several UDP sockets.</b> The fast way to send the forty-odd datagrams a 64 KB GSO
 * frame becomes is UDP segmentation offload ({@link Udp#UDP_SEGMENT}): all of them in one
 * {@code sendmsg}, one trip through the stack, cut by the kernel (or the NIC) at the last moment.
 * That needs a UDP socket, and every datagram of one send has that socket's source port. RFC 7348
 * §5 wants the outer source port to follow the inner flow, so that ECMP and receive-side scaling
 * spread flows and keep each in order; a raw socket could set any port per datagram, but cannot
 * segment. The compromise is a fixed set of sockets on different ports: a frame goes through the
 * socket its flow hash picks, so all frames of a flow leave with one source port (in order, since
 * one socket and one thread carry them) and different flows spread over {@link #COUNT} ports:
 * less entropy than a full hash gives, plenty for the few paths of a lab underlay.
 *
 * <p>Their datagrams carry a UDP checksum: the kernel refuses UDP segmentation on a socket with
 * checksums off ({@code SO_NO_CHECK}), and fills it in itself (or has the NIC do it). RFC 7348 §5
 * says it SHOULD be zero, and every receiver must take both; a correct one costs the sender
 * nothing here and protects the inner frame end to end.
 *
 * <p>Every socket is set to {@code IP_PMTUDISC_DO} (DF on every datagram; one larger than the path
 * MTU fails with EMSGSIZE instead of being fragmented, RFC 7348 §4.3) and only sends: a filter that
 * accepts nothing keeps datagrams that reach its port from queueing; the endpoint's socket on the
 * VXLAN port receives. Ports taken by someone else are skipped. Opening fails as a whole, and closes
 * what it opened.
 */
final class SenderSockets implements AutoCloseable {
    /** Sockets, one source port each; a power of two. */
    static final int COUNT = 16;
    private static final int SEND_BUFFER = 4 << 20;
    /** Ports tried per socket before giving up: its slice of the dynamic range. */
    private static final int TRIES = Vxlan.SOURCE_PORT_RANGE / COUNT;

    private final FileDescriptor[] sockets;
    private final int[] ports;
    private final boolean segmentation;

    private SenderSockets(FileDescriptor[] sockets, int[] ports, boolean segmentation) {
        this.sockets = sockets;
        this.ports = ports;
        this.segmentation = segmentation;
    }

    /**
     * Opens {@link #COUNT} sockets bound to {@code local} (numeric; 0 for any). Asks for UDP
     * segmentation unless {@code segmentation} is false, and reports in {@link #segmentation()}
     * whether the kernel has it.
     */
    static SenderSockets open(int local, boolean segmentation, String where) throws NativeException {
        FileDescriptor[] sockets = new FileDescriptor[COUNT];
        int[] ports = new int[COUNT];
        boolean gso = segmentation;
        try {
            Memory rejectAll = Filter.program(Filter.insn(Filter.BPF_RET | Filter.BPF_K, 0, 0, 0));
            Memory value = new Memory(4);
            Memory sa = new Memory(In.SIZEOF_SOCKADDR_IN);
            for (int k = 0; k < COUNT; k++) {
                FileDescriptor fd = new FileDescriptor(Errno.check("socket(AF_INET, SOCK_DGRAM)", Socket.socket(Socket.AF_INET,
                        Socket.SOCK_DGRAM | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, In.IPPROTO_UDP), where),
                        "vxlan send " + where);
                sockets[k] = fd;
                Errno.check("setsockopt(SO_ATTACH_FILTER)", Socket.setsockopt(fd.fd(), Socket.SOL_SOCKET,
                        Socket.SO_ATTACH_FILTER, rejectAll, Filter.SIZEOF_SOCK_FPROG), where);
                value.setInt(0, In.IP_PMTUDISC_DO);
                Errno.check("setsockopt(IP_MTU_DISCOVER)", Socket.setsockopt(fd.fd(), In.IPPROTO_IP, In.IP_MTU_DISCOVER,
                        value, 4), where);
                value.setInt(0, SEND_BUFFER);
                if (Socket.setsockopt(fd.fd(), Socket.SOL_SOCKET, Socket.SO_SNDBUFFORCE, value, 4) != 0) {
                    Socket.setsockopt(fd.fd(), Socket.SOL_SOCKET, Socket.SO_SNDBUF, value, 4);
                }
                if (gso) {
                    // Probes the option (ENOPROTOOPT before Linux 4.18); sizes are given per send.
                    value.setInt(0, 0);
                    gso = Socket.setsockopt(fd.fd(), Udp.SOL_UDP, Udp.UDP_SEGMENT, value, 4) == 0;
                }
                ports[k] = bind(fd, local, Vxlan.SOURCE_PORT_MIN + k * TRIES, sa, where);
            }
            return new SenderSockets(sockets, ports, gso);
        } catch (NativeException | RuntimeException e) {
            for (FileDescriptor fd : sockets) {
                if (fd != null) {
                    fd.close();
                }
            }
            throw e;
        }
    }

    /** Binds to the first free port of the {@link #TRIES} from {@code first}; returns it. */
    private static int bind(FileDescriptor fd, int local, int first, Memory sa, String where) throws NativeException {
        for (int port = first; ; port++) {
            In.putSockaddrIn(sa.getByteBuffer(0, In.SIZEOF_SOCKADDR_IN), 0, local, port);
            if (Socket.bind(fd.fd(), sa, In.SIZEOF_SOCKADDR_IN) == 0) {
                return port;
            }
            if (Errno.last() != Errno.EADDRINUSE || port == first + TRIES - 1) {
                Errno.check("bind(AF_INET, SOCK_DGRAM) to a source port", -1, where + ", ports from " + first);
            }
        }
    }

    /** Whether the sockets may be given {@code UDP_SEGMENT}. */
    boolean segmentation() {
        return segmentation;
    }

    /** The socket for a frame whose flow hashes to {@code flowPort} ({@link FlowHash#sourcePort}); -1 once closed. */
    int fd(int flowPort) {
        return sockets[flowPort & (COUNT - 1)].fd();
    }

    /** The source port the frames of {@code flowPort}'s flow leave with. */
    int port(int flowPort) {
        return ports[flowPort & (COUNT - 1)];
    }

    /** Closes every socket; idempotent. */
    @Override
    public void close() {
        for (FileDescriptor fd : sockets) {
            fd.close();
        }
    }
}
