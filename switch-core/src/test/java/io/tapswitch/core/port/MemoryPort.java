package io.tapswitch.core.port;

import com.sun.jna.Pointer;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.sys.SendMessages;
import io.tapswitch.core.sys.EventFd;
import io.tapswitch.core.sys.NativeException;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory {@link Port}: frames are injected as if they had arrived, and what the switch sends
 * is kept (or only counted). It is the one fake behind every test and benchmark that needs no kernel
 * device, published in switch-core's test-jar.
 *
 * <p><b>Three uses, one class.</b>
 * <ul>
 *   <li>Unit tests drive a switch themselves ({@code Switch.addPassivePort} and {@code process}),
 *       {@link #inject} frames and read back {@link #sent()}.</li>
 *   <li>Benchmarks need a sink that costs next to nothing, or they measure the fake:
 *       {@link #discarding(String)} makes a port whose {@link #send} only increments a counter,
 *       without a lock, a copy or an allocation.</li>
 *   <li>Tests of a running switch ({@code Switch.addPort}, the agent's API tests) need the port's
 *       event loop to pick up injected frames. That loop sleeps in {@code epoll_wait(2)} on
 *       {@link #pollFd()}, so this port offers a real descriptor: an eventfd, which needs no
 *       privileges, made readable by {@link #inject} and drained by {@link #receive} once the
 *       queue is empty. Such tests then wait for results with {@link #awaitSent}.</li>
 * </ul>
 *
 * <p>It can also stand in for the two tunnel port kinds, so that the engine's tunnel handling
 * (attribution to VTEP ports, split horizon) is tested without sockets: {@link #vtep} makes a
 * {@link PortKind#VTEP} port with a remote address, {@link #tunnelEndpoint} a {@link PortKind#TUNNEL} one.
 *
 * <p>The eventfd is opened the first time {@link #pollFd()} is asked for, which only a reading
 * thread does, so ports driven by hand open no descriptor and need not be closed. {@link #close()}
 * closes it and is idempotent; a closed port reports -1 as its poll descriptor.
 *
 * <p>Threads: injecting, receiving and recording are synchronized on the port (a switch's reading
 * thread, forwarding threads and the test thread all meet here). A discarding port's counter is a
 * plain field: exact when one thread sends, as in a benchmark.
 */
public final class MemoryPort implements Port {
    private final String name;
    private final boolean vnet;
    private final boolean recording;
    private final boolean batching;
    private final PortKind kind;
    private final int vtepAddress;
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private final List<byte[]> sent = new ArrayList<>();
    /** Frames accepted by {@link #send}: guarded by this port when recording, plain when discarding. */
    private long sentCount;
    /** Bursts taken by a batching port; guarded by this port. */
    private long batchCount;
    /** Opened on the first {@link #pollFd()}; guarded by this port. */
    private EventFd readable;
    private volatile boolean closed;
    /** What {@link #send(Frame)} answers instead of taking the frame; 0: it takes it. */
    private volatile int refusal;

    /** A recording port whose frames carry a vnet header (offloads negotiated), as real ports have. */
    public MemoryPort(String name) {
        this(name, true);
    }

    /** A recording port; {@code vnet} false makes a port without offloads. */
    public MemoryPort(String name, boolean vnet) {
        this(name, vnet, true);
    }

    private MemoryPort(String name, boolean vnet, boolean recording) {
        this(name, vnet, recording, PortKind.MEMORY, 0);
    }

    private MemoryPort(String name, boolean vnet, boolean recording, PortKind kind, int vtepAddress) {
        this(name, vnet, recording, kind, vtepAddress, false);
    }

    private MemoryPort(String name, boolean vnet, boolean recording, PortKind kind, int vtepAddress, boolean batching) {
        this.name = name;
        this.vnet = vnet;
        this.recording = recording;
        this.batching = batching;
        this.kind = kind;
        this.vtepAddress = vtepAddress;
    }

    /** A recording port of kind {@link PortKind#VTEP} standing for the remote VTEP at {@code address}. */
    public static MemoryPort vtep(String name, int address) {
        return new MemoryPort(name, true, true, PortKind.VTEP, address);
    }

    /** A recording port of kind {@link PortKind#TUNNEL}, standing for a host's tunnel endpoint. */
    public static MemoryPort tunnelEndpoint(String name) {
        return new MemoryPort(name, false, true, PortKind.TUNNEL, 0);
    }

    /**
     * A recording port that sends in bursts as an AF_PACKET port does ({@link #sendsBatches()}):
     * event loops queue its frames and hand them over together; {@link #batches()} counts the bursts.
     */
    public static MemoryPort batching(String name) {
        return new MemoryPort(name, true, true, PortKind.MEMORY, 0, true);
    }

    /** A port that keeps nothing it is sent and only counts it ({@link #sentCount()}): a benchmark's sink. */
    public static MemoryPort discarding(String name) {
        return new MemoryPort(name, true, false);
    }

    /** Queues {@code frame} as received; a reading thread polling this port wakes up for it. */
    public synchronized void inject(byte[] frame) {
        inbound.add(frame);
        if (readable != null) {
            readable.signal();
        }
    }

    /** Copies of the frames sent so far, oldest first. */
    public synchronized List<byte[]> sent() {
        requireRecording();
        return List.copyOf(sent);
    }

    /**
     * Waits until at least {@code count} frames were sent or {@code timeout} passed, and returns
     * copies of the frames sent by then (fewer than {@code count} on a timeout).
     */
    public synchronized List<byte[]> awaitSent(int count, Duration timeout) throws InterruptedException {
        requireRecording();
        long deadline = System.nanoTime() + timeout.toNanos();
        long left;
        while (sent.size() < count && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(sent);
    }

    public synchronized void clearSent() {
        requireRecording();
        sent.clear();
    }

    /** Frames {@link #send} accepted since the port was made, in either mode; not reset by {@link #clearSent()}. */
    public long sentCount() {
        if (!recording) {
            return sentCount;
        }
        synchronized (this) {
            return sentCount;
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PortKind kind() {
        return kind;
    }

    @Override
    public int vtepAddress() {
        return vtepAddress;
    }

    /** The eventfd that is readable while injected frames wait, opened on the first call; -1 once closed. */
    @Override
    public synchronized int pollFd() {
        if (closed) {
            return -1;
        }
        if (readable == null) {
            try {
                readable = new EventFd();
            } catch (NativeException e) {
                throw new UncheckedIOException(e);
            }
            if (!inbound.isEmpty()) {
                readable.signal();
            }
        }
        return readable.fd();
    }

    @Override
    public boolean vnetHeader() {
        return vnet;
    }

    @Override
    public synchronized int receive(Frame frame) {
        byte[] next = inbound.poll();
        if (inbound.isEmpty() && readable != null) {
            readable.drain();
        }
        if (next == null) {
            return NOTHING;
        }
        frame.load(next);
        return next.length;
    }

    /**
     * Makes {@link #send(Frame)} answer {@code code} and keep nothing, as a device that has gone
     * away (a negated errno) or a port that refuses a frame by design (a {@link Refusal#code()})
     * does; 0 makes it take frames again.
     */
    public void refuseSends(int code) {
        refusal = code;
    }

    @Override
    public int send(Frame frame) {
        int refused = refusal;
        if (refused != 0) {
            return refused;
        }
        if (!recording) {
            sentCount++;
            return 0;
        }
        synchronized (this) {
            sent.add(frame.toBytes());
            sentCount++;
            notifyAll();
        }
        return 0;
    }

    @Override
    public boolean sendsBatches() {
        return batching;
    }

    /** Records each queued frame as {@link #send(Frame)} would, reading it where the queue points. */
    @Override
    public int send(SendMessages messages, int from, int count) {
        if (!batching) {
            return Port.super.send(messages, from, count);
        }
        synchronized (this) {
            int header = vnet ? VnetHeader.LEN : 0;
            for (int i = from; i < from + count; i++) {
                sent.add(new Pointer(messages.base(i)).getByteArray(header, (int) messages.length(i) - header));
                sentCount++;
            }
            batchCount++;
            notifyAll();
        }
        return count;
    }

    /** How many bursts {@link #send(SendMessages, int, int)} took. */
    public synchronized long batches() {
        return batchCount;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (readable != null) {
            readable.close();
        }
    }

    private void requireRecording() {
        if (!recording) {
            throw new IllegalStateException("port " + name + " discards what it is sent; see sentCount()");
        }
    }

    @Override
    public String toString() {
        return "MemoryPort[" + name + (recording ? "" : ", discarding") + "]";
    }
}
