package io.tapswitch.agent.vm;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A text connection to one of the unix sockets on which QEMU serves a character device: the QMP
 * monitor ({@link Qmp}) or a guest's serial console ({@link GuestConsole}). Both protocols are read
 * by waiting for a pattern in what has arrived so far, so this class only collects the text and
 * leaves the parsing to them.
 *
 * <p>The channel is non-blocking behind a selector, so every wait has a deadline: a QEMU or guest
 * that hangs makes its caller time out instead of blocking an agent worker for good.
 */
final class QemuSocket implements Closeable {
    private final SocketChannel channel;
    private final Selector selector;
    private final String closedMessage;
    private final StringBuilder received = new StringBuilder();

    private QemuSocket(SocketChannel channel, Selector selector, String closedMessage) {
        this.channel = channel;
        this.selector = selector;
        this.closedMessage = closedMessage;
    }

    /**
     * Connects to {@code socket}; everything opened on the way is closed again when that fails.
     *
     * @param closedMessage the message of the exception a read throws once QEMU has closed the socket,
     *                      naming the device for the person who reads it
     */
    static QemuSocket open(Path socket, String closedMessage) throws IOException {
        SocketChannel ch = connect(socket);
        Selector sel = null;
        try {
            ch.configureBlocking(false);
            sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            return new QemuSocket(ch, sel, closedMessage);
        } catch (IOException | RuntimeException e) {
            if (sel != null) {
                sel.close();
            }
            ch.close();
            throw e;
        }
    }

    /**
     * A blocking channel connected to {@code socket}, for a client that streams bytes rather than
     * reading text with deadlines ({@link RawConsole}); the channel is closed again when the connect fails.
     */
    static SocketChannel connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Sends all of {@code text}, however slowly QEMU takes it. */
    void send(String text) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Waits up to {@code waitMillis} for text and appends all that has arrived to {@link #received()}.
     * A wait below one millisecond is taken as one, because a selector given 0 would wait forever.
     *
     * @throws IOException when QEMU has closed the socket
     */
    void readSome(long waitMillis) throws IOException {
        int ready = selector.select(Math.max(1, waitMillis));
        selector.selectedKeys().clear();
        if (ready == 0) {
            return;
        }
        ByteBuffer buf = ByteBuffer.allocate(8192);
        int n;
        while ((n = channel.read(buf)) > 0) {
            buf.flip();
            received.append(StandardCharsets.UTF_8.decode(buf));
            buf.clear();
        }
        if (n < 0) {
            throw new IOException(closedMessage);
        }
    }

    /** The text received and not yet consumed; callers delete what they have parsed. */
    StringBuilder received() {
        return received;
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
