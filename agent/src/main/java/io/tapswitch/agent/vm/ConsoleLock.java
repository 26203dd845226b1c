package io.tapswitch.agent.vm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One VM's serial console claimed by one client at a time: {@code vm console}, {@code vm exec} and
 * checks all talk to the same QEMU socket, and QEMU serves one connection and leaves a second one
 * waiting unanswered, which would look like a hang. A client holds an exclusive lock on
 * {@code DIR/NAME.console.lock} while connected and writes who it is into the file, so the next one
 * fails at once with "console in use by ..." instead.
 *
 * <p>The lock is a POSIX record lock: it works across processes (the agent's WebSocket sessions,
 * CLIs reading the socket directly) and goes away with its holder, even one killed with SIGKILL.
 * Because closing any descriptor of a file drops all of a process's record locks on it, a process
 * never opens the file of a console it already holds: {@link #HELD} answers for those.
 */
public final class ConsoleLock implements Closeable {
    /** The lock files this process holds, with their holders. */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private ConsoleLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The console of a VM is held by another client. */
    public static final class BusyException extends IOException {
        BusyException(String message) {
            super(message);
        }
    }

    /** The lock file of the console whose socket is {@code socket}. */
    static Path fileOf(Path socket) {
        String name = socket.getFileName().toString();
        return socket.resolveSibling(name.replaceFirst("\\.sock$", "") + ".console.lock");
    }

    /**
     * Claims the console whose socket is {@code socket} for {@code holder} (shown to whoever comes
     * next, e.g. "vm console from 127.0.0.1:53422"). Returns null when no lock file can be made
     * there (a state directory the caller may not write): the caller goes ahead unprotected, as
     * before locks existed.
     *
     * @throws BusyException when another client holds the console
     */
    public static ConsoleLock acquire(Path socket, String holder) throws IOException {
        Path file = fileOf(socket).toAbsolutePath().normalize();
        String text = holder + ", pid " + ProcessHandle.current().pid() + ", since "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String other = HELD.putIfAbsent(file, text);
        if (other != null) {
            throw busy(socket, other);
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            HELD.remove(file);
            return null;
        } catch (IOException | RuntimeException e) {
            HELD.remove(file);
            throw e;
        }
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw busy(socket, holderOf(file));
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            return new ConsoleLock(file, ch, lock);
        } catch (IOException | RuntimeException e) {
            ch.close();
            HELD.remove(file);
            throw e;
        }
    }

    private static BusyException busy(Path socket, String holder) {
        return new BusyException("console of " + vmOf(socket) + " in use by " + holder
                + "; leave that session first (Ctrl-] ends a 'vm console')");
    }

    /**
     * Like {@link #acquire(Path, String)}, but while another client holds the console, tries again
     * until {@code patience} has passed: for programs that take turns on a console (checks, tests),
     * which QEMU itself would have made wait for the previous connection to end.
     */
    public static ConsoleLock acquire(Path socket, String holder, Duration patience) throws IOException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return acquire(socket, holder);
            } catch (BusyException e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A console client that takes over a claimed console's lock and releases it when it closes. */
    @FunctionalInterface
    interface Owner<T> {
        T take(ConsoleLock lock) throws IOException;
    }

    /**
     * Hands {@code lock} (null when {@link #acquire(Path, String)} could make no lock file) to the
     * client {@code owner} builds, and releases it when building fails, so that a console whose
     * connection could not be made is not left claimed until this process ends.
     */
    static <T> T handTo(ConsoleLock lock, Owner<T> owner) throws IOException {
        try {
            return owner.take(lock);
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }

    /** Who holds the console whose socket is {@code socket}, or null when nobody does. */
    public static String holder(Path socket) throws IOException {
        String mine = HELD.get(fileOf(socket).toAbsolutePath().normalize());
        if (mine != null) {
            return mine;
        }
        try (ConsoleLock probe = acquire(socket, "probe")) {
            return null;
        } catch (BusyException e) {
            return holderOf(fileOf(socket));
        }
    }

    private static String vmOf(Path socket) {
        return socket.getFileName().toString().replaceFirst("\\.sock$", "");
    }

    private static String holderOf(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "another client" : text;
        } catch (IOException e) {
            return "another client";
        }
    }

    @Override
    public void close() throws IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            lock.release();
        } finally {
            channel.close();
            HELD.remove(file);
        }
    }
}
