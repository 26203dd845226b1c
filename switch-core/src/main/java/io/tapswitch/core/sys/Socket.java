package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** {@code sys/socket.h}: sockets for interface ioctls and, later, AF_PACKET ports. */
public final class Socket {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUF = 7;
    public static final int SO_ATTACH_FILTER = 26;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Socket() {
    }

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int sockfd, Pointer addr, int addrlen);

    public static native int setsockopt(int sockfd, int level, int optname, Pointer optval, int optlen);

    public static native int getsockopt(int sockfd, int level, int optname, Pointer optval, Pointer optlen);

    /** {@code recvmsg(2)} with a {@code struct msghdr} at address {@code msg}. */
    public static native long recvmsg(int sockfd, long msg, int flags);

    /** {@code recvfrom(2)}; {@code srcAddr}/{@code addrlen} may be 0. */
    public static native long recvfrom(int sockfd, long buf, long len, int flags, long srcAddr, long addrlen);

    public static native long sendto(int sockfd, long buf, long len, int flags, long destAddr, int addrlen);

    public static native long sendmsg(int sockfd, long msg, int flags);
}
