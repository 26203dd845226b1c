package io.tapswitch.core.sys;

import com.sun.jna.Memory;

import java.nio.charset.StandardCharsets;

/** {@code sys/un.h}: the address of a UNIX domain socket, a filesystem path. */
public final class Un {
    /** {@code struct sockaddr_un}: {@code sa_family_t sun_family}, then {@code char sun_path[108]}. */
    public static final int SIZEOF_SOCKADDR_UN = 110;
    public static final int SUN_FAMILY = 0;
    public static final int SUN_PATH = 2;
    public static final int SUN_PATH_MAX = 108;

    private Un() {
    }

    /**
     * The address of {@code path}, NUL-terminated.
     *
     * @throws IllegalArgumentException when the path does not fit (107 bytes at most)
     */
    public static Memory address(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("a UNIX socket path must be 1 to " + (SUN_PATH_MAX - 1)
                    + " bytes, was " + bytes.length + ": " + path);
        }
        Memory addr = new Memory(SIZEOF_SOCKADDR_UN);
        addr.clear();
        addr.setShort(SUN_FAMILY, (short) Socket.AF_UNIX);
        addr.write(SUN_PATH, bytes, 0, bytes.length);
        return addr;
    }
}
