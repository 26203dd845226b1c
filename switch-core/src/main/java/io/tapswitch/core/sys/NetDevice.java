package io.tapswitch.core.sys;

import com.sun.jna.Memory;

/**
 * Control-path queries and changes on a network interface by name, through the classic
 * {@code SIOC*IF*} ioctls on a throw-away datagram socket.
 *
 * <p>These run when ports open, close or are reconfigured, never per frame, so a short-lived socket
 * and a JNA {@link Memory} per call are fine.
 */
public final class NetDevice {
    private NetDevice() {
    }

    /** Validates an interface name the way the kernel will: 1–15 bytes, no '/', no whitespace, no ':'. */
    public static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("interface name is empty");
        }
        if (name.length() >= NetIf.IFNAMSIZ) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than "
                    + (NetIf.IFNAMSIZ - 1) + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("interface name '" + name + "' is reserved");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("interface name '" + name
                        + "' contains '" + c + "': use letters, digits, '-', '_' or '.'");
            }
        }
        return name;
    }

    /** Writes {@code name} NUL-terminated at the start of an ifreq. */
    public static Memory ifreq(String name) {
        Memory req = new Memory(NetIf.SIZEOF_IFREQ);
        req.clear();
        byte[] bytes = checkName(name).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        req.write(0, bytes, 0, bytes.length);
        return req;
    }

    /** The interface index, or throws ENODEV when there is no such interface. */
    public static int index(String name) throws NativeException {
        Memory req = ifreq(name);
        ioctl(NetIf.SIOCGIFINDEX, req, "SIOCGIFINDEX", name);
        return req.getInt(NetIf.IFR_UNION);
    }

    /** Whether an interface of that name exists in this network namespace. */
    public static boolean exists(String name) {
        try {
            index(name);
            return true;
        } catch (NativeException e) {
            return false;
        }
    }

    public static short flags(String name) throws NativeException {
        Memory req = ifreq(name);
        ioctl(NetIf.SIOCGIFFLAGS, req, "SIOCGIFFLAGS", name);
        return req.getShort(NetIf.IFR_UNION);
    }

    /** Sets or clears IFF_UP, leaving the other flags as they are. */
    public static void setUp(String name, boolean up) throws NativeException {
        Memory req = ifreq(name);
        ioctl(NetIf.SIOCGIFFLAGS, req, "SIOCGIFFLAGS", name);
        short flags = req.getShort(NetIf.IFR_UNION);
        short wanted = (short) (up ? flags | NetIf.IFF_UP : flags & ~NetIf.IFF_UP);
        if (wanted != flags) {
            req.setShort(NetIf.IFR_UNION, wanted);
            ioctl(NetIf.SIOCSIFFLAGS, req, "SIOCSIFFLAGS", name);
        }
    }

    private static void ioctl(long request, Memory req, String call, String name) throws NativeException {
        int sock = Errno.check("socket", Socket.socket(Socket.AF_INET, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0));
        try (FileDescriptor fd = new FileDescriptor(sock, "ioctl socket")) {
            Errno.check(call, Ioctl.ioctl(fd.fd(), request, req), name);
        }
    }
}
