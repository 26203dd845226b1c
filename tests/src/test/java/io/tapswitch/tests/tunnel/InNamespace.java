package io.tapswitch.tests.tunnel;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.Unistd;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs code on a fresh thread that has entered a network namespace ({@code setns(2)}), so that the
 * sockets it opens live there: how one test JVM holds two tunnel endpoints on two "hosts". A socket
 * keeps the namespace it was created in for its whole life; only the creating thread switched, and
 * that thread ends with the call.
 */
public final class InNamespace {
    private static final int CLONE_NEWNET = 0x40000000;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private InNamespace() {
    }

    private static native int setns(int fd, int nstype);

    public static <T> T call(String namespace, Callable<T> work) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            String path = "/var/run/netns/" + namespace;
            int fd = Errno.check("open", Unistd.open(path, Unistd.O_CLOEXEC), path);
            try {
                Errno.check("setns", setns(fd, CLONE_NEWNET), path);
            } finally {
                Unistd.close(fd);
            }
            return work.call();
        });
        Thread thread = new Thread(task, "tsvx-in-" + namespace);
        thread.start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } finally {
            thread.join();
        }
    }
}
