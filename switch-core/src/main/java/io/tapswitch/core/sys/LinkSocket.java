package io.tapswitch.core.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An rtnetlink socket subscribed to link events: the kernel tells it of every network interface
 * that appears ({@code RTM_NEWLINK}, also sent when one changes) or goes ({@code RTM_DELLINK}) in
 * this network namespace, the moment it happens, without polling. {@link #requestDump} asks for
 * every existing link, answered on the same socket as a run of {@code RTM_NEWLINK} messages ended
 * by {@code NLMSG_DONE}: that is how a watcher learns what exists when it starts, or after it
 * missed events.
 *
 * <p>The socket is non-blocking, for a reader that polls it together with an eventfd. When the
 * kernel cannot queue an event (the reader fell behind), the next read fails with ENOBUFS: events
 * were lost, and the reader must ask for a dump. The owner of one fd: closing is idempotent, and a
 * failed open closes what it opened.
 */
public final class LinkSocket implements AutoCloseable {
    /** Room for one datagram: the kernel sends at most a page of messages per read in a dump. */
    private static final int BUFFER_SIZE = 64 * 1024;
    /** Receive queue asked for, so that a burst of interfaces appearing does not overflow it. */
    public static final int DEFAULT_RECEIVE_BUFFER = 1 << 20;

    /** What a read found, message by message. */
    public interface Handler {
        /** Link {@code name} (index {@code index}) exists now ({@code added}) or has gone. */
        void link(boolean added, int index, String name);

        /** The dump of request {@code seq} is complete: every existing link has been reported. */
        void dumpDone(int seq);
    }

    private final FileDescriptor fd;
    private final Memory buffer = new Memory(BUFFER_SIZE);

    private LinkSocket(FileDescriptor fd) {
        this.fd = fd;
    }

    /** Opens a socket subscribed to {@link Rtnetlink#RTMGRP_LINK}, with the default receive queue. */
    public static LinkSocket open() throws NativeException {
        return open(DEFAULT_RECEIVE_BUFFER);
    }

    /**
     * Opens a socket subscribed to {@link Rtnetlink#RTMGRP_LINK} whose receive queue holds about
     * {@code receiveBuffer} bytes (the kernel doubles it for its bookkeeping). A small queue lets a
     * test make the kernel drop events with a few dozen interfaces instead of thousands.
     */
    public static LinkSocket open(int receiveBuffer) throws NativeException {
        int n = Errno.check("socket(AF_NETLINK)", Socket.socket(Netlink.AF_NETLINK,
                Socket.SOCK_RAW | Socket.SOCK_CLOEXEC | Socket.SOCK_NONBLOCK, Netlink.NETLINK_ROUTE));
        FileDescriptor fd = new FileDescriptor(n, "rtnetlink socket");
        try {
            Memory size = new Memory(4);
            size.setInt(0, receiveBuffer);
            // Best effort: without CAP_NET_ADMIN the kernel's limit applies, which is fine too.
            if (Socket.setsockopt(n, Socket.SOL_SOCKET, Socket.SO_RCVBUFFORCE, size, 4) < 0) {
                Socket.setsockopt(n, Socket.SOL_SOCKET, Socket.SO_RCVBUF, size, 4);
            }
            Memory addr = new Memory(Netlink.SIZEOF_SOCKADDR_NL);
            addr.clear();
            addr.setShort(Netlink.NL_FAMILY, (short) Netlink.AF_NETLINK);
            addr.setInt(Netlink.NL_GROUPS, Rtnetlink.RTMGRP_LINK);
            Errno.check("bind(RTMGRP_LINK)", Socket.bind(n, addr, Netlink.SIZEOF_SOCKADDR_NL));
            return new LinkSocket(fd);
        } catch (NativeException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The descriptor, to poll; -1 once closed. */
    public int fd() {
        return fd.fd();
    }

    /** Asks the kernel for every existing link; the answer arrives through {@link #receive}, tagged {@code seq}. */
    public void requestDump(int seq) throws NativeException {
        int len = Netlink.SIZEOF_NLMSGHDR + Rtnetlink.SIZEOF_IFINFOMSG;
        Memory req = new Memory(len);
        req.clear();
        req.setInt(Netlink.NLMSG_LEN, len);
        req.setShort(Netlink.NLMSG_TYPE, (short) Rtnetlink.RTM_GETLINK);
        req.setShort(Netlink.NLMSG_FLAGS, (short) (Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP));
        req.setInt(Netlink.NLMSG_SEQ, seq);
        long sent = Unistd.write(fd.fd(), Pointer.nativeValue(req), len);
        Errno.check("send(RTM_GETLINK)", (int) Math.max(-1, Math.min(sent, Integer.MAX_VALUE)));
    }

    /**
     * Reads one datagram and hands its messages to {@code handler}.
     *
     * @return false when there was nothing to read
     * @throws NativeException ENOBUFS when the kernel dropped events for want of room (ask for a
     *                         dump), or any other failure of the socket
     */
    public boolean receive(Handler handler) throws NativeException {
        long n = Unistd.read(fd.fd(), Pointer.nativeValue(buffer), BUFFER_SIZE);
        if (n < 0) {
            int errno = Errno.last();
            if (Errno.isTransient(errno)) {
                return false;
            }
            throw new NativeException("recv(rtnetlink)", errno, null);
        }
        parse(buffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder()), handler);
        return true;
    }

    /**
     * Walks the netlink messages of one datagram: link messages become {@link Handler#link} calls,
     * the end of a dump {@link Handler#dumpDone}; anything else is skipped. Lengths come from the
     * kernel and are checked, never trusted: a message that claims more than is there ends the walk.
     */
    public static void parse(ByteBuffer buf, Handler handler) {
        int at = 0;
        int end = buf.limit();
        while (end - at >= Netlink.SIZEOF_NLMSGHDR) {
            int len = buf.getInt(at + Netlink.NLMSG_LEN);
            if (len < Netlink.SIZEOF_NLMSGHDR || len > end - at) {
                return;
            }
            int type = buf.getShort(at + Netlink.NLMSG_TYPE) & 0xffff;
            int seq = buf.getInt(at + Netlink.NLMSG_SEQ);
            if (type == Netlink.NLMSG_DONE || type == Netlink.NLMSG_ERROR) {
                // an error answering a dump ends it as surely as DONE does
                handler.dumpDone(seq);
            } else if ((type == Rtnetlink.RTM_NEWLINK || type == Rtnetlink.RTM_DELLINK)
                    && len >= Netlink.SIZEOF_NLMSGHDR + Rtnetlink.SIZEOF_IFINFOMSG) {
                int ifi = at + Netlink.SIZEOF_NLMSGHDR;
                int index = buf.getInt(ifi + Rtnetlink.IFI_INDEX);
                String name = name(buf, ifi + Rtnetlink.SIZEOF_IFINFOMSG, at + len);
                if (name != null) {
                    handler.link(type == Rtnetlink.RTM_NEWLINK, index, name);
                }
            }
            at += Netlink.align(len);
        }
    }

    /** The {@code IFLA_IFNAME} attribute among those from {@code at} to {@code end}, or null. */
    private static String name(ByteBuffer buf, int at, int end) {
        while (end - at >= Rtnetlink.SIZEOF_RTATTR) {
            int len = buf.getShort(at + Rtnetlink.RTA_LEN) & 0xffff;
            if (len < Rtnetlink.SIZEOF_RTATTR || len > end - at) {
                return null;
            }
            if ((buf.getShort(at + Rtnetlink.RTA_TYPE) & 0xffff) == Rtnetlink.IFLA_IFNAME) {
                int from = at + Rtnetlink.SIZEOF_RTATTR;
                int to = from;
                while (to < at + len && buf.get(to) != 0) {
                    to++;
                }
                byte[] bytes = new byte[to - from];
                buf.get(from, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
            at += Rtnetlink.align(len);
        }
        return null;
    }

    @Override
    public void close() {
        fd.close();
    }
}
