package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** {@code sys/ioctl.h}: the two argument shapes we use, a pointer and a plain integer. */
public final class Ioctl {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Ioctl() {
    }

    public static native int ioctl(int fd, long request, Pointer arg);

    public static native int ioctl(int fd, long request, long arg);
}
