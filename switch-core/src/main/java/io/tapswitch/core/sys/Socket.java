package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * {@code sys/socket.h}: sockets for interface ioctls, AF_PACKET ports and the VXLAN endpoint's
 * datagram sockets (a UDP socket that receives, a raw IPv4 socket that sends).
 */
public final class Socket {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUF = 7;
    public static final int SO_ATTACH_FILTER = 26;
    /** The credentials (a {@code struct ucred}) of the process at the other end of a UNIX socket. */
    public static final int SO_PEERCRED = 17;
    /** A {@code struct timeval} after which a blocking receive fails with EAGAIN. */
    public static final int SO_RCVTIMEO = 20;
    /** The control message type that passes file descriptors over a UNIX socket. */
    public static final int SCM_RIGHTS = 1;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;

    /** {@code struct msghdr} on x86-64: its size and the offsets of its fields. */
    public static final int SIZEOF_MSGHDR = 56;
    public static final int MSG_NAME = 0;
    public static final int MSG_NAMELEN = 8;
    public static final int MSG_IOV = 16;
    public static final int MSG_IOVLEN = 24;
    public static final int MSG_CONTROL = 32;
    public static final int MSG_CONTROLLEN = 40;
    public static final int MSG_FLAGS = 48;

    /**
     * {@code struct mmsghdr} of {@code recvmmsg}/{@code sendmmsg}: a {@code msghdr}, then
     * {@code unsigned int msg_len} (the bytes that message carried), padded to 8.
     */
    public static final int SIZEOF_MMSGHDR = SIZEOF_MSGHDR + 8;
    public static final int MMSG_LEN = SIZEOF_MSGHDR;

    /** {@code struct ucred}: pid, uid, gid, 4 bytes each. */
    public static final int SIZEOF_UCRED = 12;
    public static final int UCRED_PID = 0;
    public static final int UCRED_UID = 4;
    public static final int UCRED_GID = 8;

    /** {@code struct timeval}: seconds and microseconds, 8 bytes each. */
    public static final int SIZEOF_TIMEVAL = 16;

    /** {@code struct iovec}: a base address at 0 and a length at 8. */
    public static final int SIZEOF_IOVEC = 16;
    public static final int IOV_BASE = 0;
    public static final int IOV_LEN = 8;

    /**
     * {@code struct cmsghdr}: {@code cmsg_len} (a size_t counting header and data) at 0, level at 8,
     * type at 12; data starts at {@link #CMSG_DATA} and messages are aligned to {@link #CMSG_ALIGN}.
     */
    public static final int SIZEOF_CMSGHDR = 16;
    public static final int CMSG_LEVEL = 8;
    public static final int CMSG_TYPE = 12;
    public static final int CMSG_DATA = 16;
    public static final int CMSG_ALIGN = 8;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Socket() {
    }

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int sockfd, Pointer addr, int addrlen);

    public static native int connect(int sockfd, Pointer addr, int addrlen);

    public static native int listen(int sockfd, int backlog);

    /** {@code accept4(2)}; {@code addr} and {@code addrlen} may be null when the peer's address is not wanted. */
    public static native int accept4(int sockfd, Pointer addr, Pointer addrlen, int flags);

    /** {@code sendmsg(2)} of the {@code struct msghdr} at address {@code msg}. */
    public static native long sendmsg(int sockfd, long msg, int flags);

    public static native int setsockopt(int sockfd, int level, int optname, Pointer optval, int optlen);

    public static native int getsockopt(int sockfd, int level, int optname, Pointer optval, Pointer optlen);

    /** {@code recvmsg(2)} with a {@code struct msghdr} at address {@code msg}. */
    public static native long recvmsg(int sockfd, long msg, int flags);

    /**
     * {@code recvmmsg(2)}: up to {@code vlen} {@code struct mmsghdr} at address {@code msgvec};
     * {@code timeout} is the address of a {@code struct timespec}, or 0.
     */
    public static native int recvmmsg(int sockfd, long msgvec, int vlen, int flags, long timeout);

    /**
     * {@code sendto(2)} of {@code len} bytes at address {@code buf}; {@code destAddr} is the address
     * of a {@code struct sockaddr} of {@code addrlen} bytes, or 0 on a bound or connected socket.
     */
    public static native long sendto(int sockfd, long buf, long len, int flags, long destAddr, int addrlen);

    /**
     * {@code sendmmsg(2)}: sends up to {@code vlen} {@code struct mmsghdr} at address {@code msgvec}
     * with one system call; returns how many were sent (each one's {@code msg_len} filled in), or -1
     * with errno set when the first could not be.
     */
    public static native int sendmmsg(int sockfd, long msgvec, int vlen, int flags);

    /** {@code getsockname(2)}; {@code addrlen} points to an int holding the buffer's size. */
    public static native int getsockname(int sockfd, Pointer addr, Pointer addrlen);

    /** {@code CMSG_SPACE(len)}: bytes a control message with {@code len} bytes of data occupies. */
    public static int cmsgSpace(int len) {
        return SIZEOF_CMSGHDR + ((len + CMSG_ALIGN - 1) & -CMSG_ALIGN);
    }

    /** {@code CMSG_LEN(len)}: the {@code cmsg_len} of a control message with {@code len} bytes of data. */
    public static int cmsgLen(int len) {
        return SIZEOF_CMSGHDR + len;
    }
}
