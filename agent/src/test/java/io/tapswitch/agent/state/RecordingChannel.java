package io.tapswitch.agent.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A real file channel that reports its writes, fsyncs and close to a log, for tests of the order
 * in which {@link ConfigFile} makes its changes durable. {@code onForce} runs before each fsync,
 * so a test can look at the file system at that instant, and may throw to make the fsync fail.
 */
final class RecordingChannel extends FileChannel {
    /** What happens before a channel's fsync: the file's path, then whether metadata is forced too. */
    @FunctionalInterface
    interface ForceHook {
        void before(Path file, boolean metaData) throws IOException;
    }

    private final FileChannel real;
    private final Path file;
    private final Consumer<String> log;
    private final ForceHook onForce;

    RecordingChannel(FileChannel real, Path file, Consumer<String> log, ForceHook onForce) {
        this.real = real;
        this.file = file;
        this.log = log;
        this.onForce = onForce;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        onForce.before(file, metaData);
        real.force(metaData);
        log.accept("force " + file.getFileName());
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return wrote(real.write(src));
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
        log.accept("close " + file.getFileName());
    }

    /** Logs a write the real channel has made, passing on the count of bytes it wrote. */
    private <N extends Number> N wrote(N count) {
        log.accept("write " + file.getFileName());
        return count;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return wrote(real.write(srcs, offset, length));
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return real.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return wrote(real.write(src, position));
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }
}
