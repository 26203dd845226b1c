package io.tapswitch.core.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/** {@code string.h}: only what turns errno into words for error messages. */
final class Libc {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Libc() {
    }

    static native String strerror(int errnum);
}
