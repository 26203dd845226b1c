package io.tapswitch.core.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.time.Duration;
import java.util.Arrays;

/**
 * A UNIX domain stream socket that can say who is at the other end ({@code SO_PEERCRED}) and pass
 * file descriptors along with its bytes ({@code SCM_RIGHTS}): what a privileged process needs to
 * hand a device it opened to an unprivileged one after checking who asks.
 *
 * <p>The owner of one fd: closing is idempotent, and a failed open closes what it opened. Messages
 * are small (a request line, an answer line), so each call allocates its native buffers; this is
 * control-path code.
 */
public final class UnixSocket implements AutoCloseable {
    /** Who a peer is: its process and the uid and gid it had when it connected. */
    public record Credentials(int pid, int uid, int gid) {
    }

    /** Bytes received, and the descriptor that came with them, or null when none did. */
    public record Received(byte[] data, FileDescriptor fd) {
    }

    private final FileDescriptor fd;

    private UnixSocket(FileDescriptor fd) {
        this.fd = fd;
    }

    /** Takes ownership of an fd that already is a connected UNIX socket (one a parent process left open). */
    public static UnixSocket adopt(int fd) {
        return new UnixSocket(new FileDescriptor(fd, "unix socket"));
    }

    /**
     * A listening socket bound to {@code path} (which must not exist), non-blocking so that its
     * owner can poll it together with an eventfd.
     */
    public static UnixSocket listen(String path, int backlog) throws NativeException {
        Memory addr = Un.address(path);
        UnixSocket s = open(Socket.SOCK_NONBLOCK, path);
        try {
            Errno.check("bind", Socket.bind(s.fd(), addr, Un.SIZEOF_SOCKADDR_UN), path);
            Errno.check("listen", Socket.listen(s.fd(), backlog), path);
            return s;
        } catch (NativeException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A blocking socket connected to the listener at {@code path}. */
    public static UnixSocket connect(String path) throws NativeException {
        Memory addr = Un.address(path);
        UnixSocket s = open(0, path);
        try {
            Errno.check("connect", Socket.connect(s.fd(), addr, Un.SIZEOF_SOCKADDR_UN), path);
            return s;
        } catch (NativeException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static UnixSocket open(int flags, String path) throws NativeException {
        int n = Errno.check("socket(AF_UNIX)", Socket.socket(Socket.AF_UNIX,
                Socket.SOCK_STREAM | Socket.SOCK_CLOEXEC | flags, 0), path);
        return new UnixSocket(new FileDescriptor(n, "unix socket " + path));
    }

    public int fd() {
        return fd.fd();
    }

    /** The next connection, blocking; null when a non-blocking listener has none waiting. */
    public UnixSocket accept() throws NativeException {
        int n = Socket.accept4(fd.fd(), null, null, Socket.SOCK_CLOEXEC);
        if (n < 0) {
            if (Errno.isTransient(Errno.last())) {
                return null;
            }
            Errno.check("accept4", n);
        }
        return new UnixSocket(new FileDescriptor(n, "unix connection"));
    }

    /** The peer's credentials, as the kernel recorded them when it connected: they cannot be forged. */
    public Credentials peerCredentials() throws NativeException {
        Memory cred = new Memory(Socket.SIZEOF_UCRED);
        Memory len = new Memory(4);
        len.setInt(0, Socket.SIZEOF_UCRED);
        Errno.check("getsockopt(SO_PEERCRED)", Socket.getsockopt(fd.fd(), Socket.SOL_SOCKET, Socket.SO_PEERCRED, cred, len));
        return new Credentials(cred.getInt(Socket.UCRED_PID), cred.getInt(Socket.UCRED_UID), cred.getInt(Socket.UCRED_GID));
    }

    /** Makes a blocking receive give up (EAGAIN) after {@code timeout}, so a silent peer cannot hold its reader. */
    public void setReceiveTimeout(Duration timeout) throws NativeException {
        Memory tv = new Memory(Socket.SIZEOF_TIMEVAL);
        tv.setLong(0, timeout.toSeconds());
        tv.setLong(8, timeout.toMillisPart() * 1000L);
        Errno.check("setsockopt(SO_RCVTIMEO)", Socket.setsockopt(fd.fd(), Socket.SOL_SOCKET, Socket.SO_RCVTIMEO, tv,
                Socket.SIZEOF_TIMEVAL));
    }

    /** Sends {@code data} (at least one byte) and, when {@code passFd} is not negative, that descriptor with it. */
    public void send(byte[] data, int passFd) throws NativeException {
        if (data.length == 0) {
            throw new IllegalArgumentException("a message that passes a descriptor carries at least one byte");
        }
        Memory buf = new Memory(data.length);
        buf.write(0, data, 0, data.length);
        Memory iov = new Memory(Socket.SIZEOF_IOVEC);
        iov.setLong(Socket.IOV_BASE, Pointer.nativeValue(buf));
        iov.setLong(Socket.IOV_LEN, data.length);
        Memory msg = new Memory(Socket.SIZEOF_MSGHDR);
        msg.clear();
        msg.setLong(Socket.MSG_IOV, Pointer.nativeValue(iov));
        msg.setLong(Socket.MSG_IOVLEN, 1);
        Memory control = null;
        if (passFd >= 0) {
            control = new Memory(Socket.cmsgSpace(4));
            control.clear();
            control.setLong(0, Socket.cmsgLen(4));
            control.setInt(Socket.CMSG_LEVEL, Socket.SOL_SOCKET);
            control.setInt(Socket.CMSG_TYPE, Socket.SCM_RIGHTS);
            control.setInt(Socket.CMSG_DATA, passFd);
            msg.setLong(Socket.MSG_CONTROL, Pointer.nativeValue(control));
            msg.setLong(Socket.MSG_CONTROLLEN, Socket.cmsgSpace(4));
        }
        long sent = Socket.sendmsg(fd.fd(), Pointer.nativeValue(msg), 0);
        Errno.check("sendmsg", (int) Math.max(-1, Math.min(sent, Integer.MAX_VALUE)));
        if (sent != data.length) {
            throw new IllegalStateException("sendmsg sent " + sent + " of " + data.length + " bytes");
        }
        // keep the buffers reachable until the call has returned
        Arrays.asList(buf, iov, msg, control).hashCode();
    }

    /**
     * Receives up to {@code max} bytes and the descriptor that came with them, if any (it is then
     * the caller's, close-on-exec). Empty data means the peer closed the connection.
     */
    public Received receive(int max) throws NativeException {
        Memory buf = new Memory(max);
        Memory iov = new Memory(Socket.SIZEOF_IOVEC);
        iov.setLong(Socket.IOV_BASE, Pointer.nativeValue(buf));
        iov.setLong(Socket.IOV_LEN, max);
        Memory control = new Memory(Socket.cmsgSpace(4));
        control.clear();
        Memory msg = new Memory(Socket.SIZEOF_MSGHDR);
        msg.clear();
        msg.setLong(Socket.MSG_IOV, Pointer.nativeValue(iov));
        msg.setLong(Socket.MSG_IOVLEN, 1);
        msg.setLong(Socket.MSG_CONTROL, Pointer.nativeValue(control));
        msg.setLong(Socket.MSG_CONTROLLEN, Socket.cmsgSpace(4));
        long n = Socket.recvmsg(fd.fd(), Pointer.nativeValue(msg), MSG_CMSG_CLOEXEC);
        Errno.check("recvmsg", (int) Math.max(-1, Math.min(n, Integer.MAX_VALUE)));
        FileDescriptor passed = null;
        long controlLen = msg.getLong(Socket.MSG_CONTROLLEN);
        if (controlLen >= Socket.cmsgLen(4) && control.getInt(Socket.CMSG_LEVEL) == Socket.SOL_SOCKET
                && control.getInt(Socket.CMSG_TYPE) == Socket.SCM_RIGHTS) {
            passed = new FileDescriptor(control.getInt(Socket.CMSG_DATA), "received fd");
        }
        return new Received(buf.getByteArray(0, (int) n), passed);
    }

    /** {@code MSG_CMSG_CLOEXEC}: descriptors received are close-on-exec from the start. */
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;

    @Override
    public void close() {
        fd.close();
    }
}
