package io.tapswitch.agent.vm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A VM's serial console as a byte stream, for a person at a terminal ({@code vm console}) rather
 * than for commands ({@link GuestConsole}): bytes in, bytes out, nothing interpreted. The console is
 * claimed with a {@link ConsoleLock} for as long as this is open.
 */
public final class RawConsole implements Closeable {
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final SocketChannel channel;
    private final ConsoleLock lock;

    private RawConsole(SocketChannel channel, ConsoleLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Claims and connects to the console whose socket is {@code socket}.
     *
     * @throws ConsoleLock.BusyException when another client holds it
     */
    public static RawConsole open(Path socket, String holder) throws IOException {
        return ConsoleLock.handTo(ConsoleLock.acquire(socket, holder),
                lock -> new RawConsole(QemuSocket.connect(socket), lock));
    }

    /** Blocks until the guest prints something; returns the number of bytes read, -1 when QEMU closed the console. */
    public int read(ByteBuffer into) throws IOException {
        return channel.read(into);
    }

    /** Types {@code bytes} into the console. */
    public void write(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /** Disconnects and releases the console; a {@link #read} blocked in another thread ends. */
    @Override
    public void close() throws IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            channel.close();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }
}
