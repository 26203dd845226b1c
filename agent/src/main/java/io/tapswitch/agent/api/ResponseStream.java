package io.tapswitch.agent.api;

import io.tapswitch.core.capture.Capture;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The capture writer's output: collects its bytes into chunks and hands each chunk to the HTTP
 * response on the response's event loop, which is the only thread allowed to write to it.
 *
 * <p>Back-pressure works by making the writer thread wait. After a write fills the response's
 * write queue, no more chunks are handed over until the queue drains; and at most
 * {@value #MAX_IN_FLIGHT} chunks may be on their way to the event loop, so that the writer
 * cannot run ahead of the queue check. Memory per download is thus bounded by the write queue,
 * plus those chunks, plus the capture's own ring. The writer also stops waiting, and fails the
 * capture, when the client disconnects or has read nothing for longer than the capture may last.
 */
final class ResponseStream extends OutputStream {
    static final int CHUNK = 64 * 1024;
    static final int MAX_IN_FLIGHT = 2;

    private final Context context;
    private final HttpServerResponse response;
    private final Runnable begin;
    private final long patienceNanos;
    private final byte[] pending = new byte[CHUNK];
    private int count;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int inFlight;
    private boolean full;
    private boolean begun;
    private volatile boolean abandoned;
    private volatile Capture capture;
    private volatile Consumer<Capture> stopper;

    /**
     * @param begin          sets the response's status and headers; run once, on the event loop,
     *                       just before the first bytes are written
     * @param patienceMillis how long the writer waits for a client that reads nothing
     */
    ResponseStream(Context context, HttpServerResponse response, Runnable begin, long patienceMillis) {
        this.context = context;
        this.response = response;
        this.begin = begin;
        this.patienceNanos = TimeUnit.MILLISECONDS.toNanos(patienceMillis);
    }

    /**
     * Ties the running capture to this output, so that a client going away stops it. The
     * stopper runs off the event loop, since stopping waits for the writer thread.
     */
    void attach(Capture c, Consumer<Capture> stop) {
        this.stopper = stop;
        this.capture = c;
        if (abandoned) {
            stop.accept(c);
        }
    }

    /** The client went away (or the capture could not start): writes fail from now on. */
    void abandon() {
        if (abandoned) {
            return;
        }
        abandoned = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Capture c = capture;
        Consumer<Capture> stop = stopper;
        if (c != null && stop != null) {
            stop.accept(c);
        }
    }

    boolean abandoned() {
        return abandoned;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == CHUNK) {
            send();
        }
        pending[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, CHUNK - count);
            System.arraycopy(b, off, pending, count, n);
            count += n;
            off += n;
            len -= n;
            if (count == CHUNK) {
                send();
            }
        }
    }

    /** Hands over what was written so far: the writer flushes whenever its queue is empty. */
    @Override
    public void flush() throws IOException {
        if (count > 0) {
            send();
        }
    }

    private void send() throws IOException {
        Buffer chunk = Buffer.buffer(Arrays.copyOf(pending, count));
        count = 0;
        lock.lock();
        try {
            long left = patienceNanos;
            while (!abandoned && (full || inFlight >= MAX_IN_FLIGHT)) {
                if (left <= 0) {
                    abandoned = true;
                    throw new IOException("the client read nothing for " + TimeUnit.NANOSECONDS.toSeconds(patienceNanos) + " s");
                }
                left = changed.awaitNanos(left);
            }
            if (abandoned) {
                throw new IOException("the client closed the capture download");
            }
            inFlight++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the client was slow");
        } finally {
            lock.unlock();
        }
        context.runOnContext(v -> deliver(chunk));
    }

    /** Writes one chunk to the response; runs on the event loop. */
    private void deliver(Buffer chunk) {
        boolean queueFull = false;
        if (!abandoned) {
            try {
                if (!begun) {
                    begun = true;
                    begin.run();
                }
                response.write(chunk);
                queueFull = response.writeQueueFull();
                if (queueFull) {
                    response.drainHandler(v -> {
                        lock.lock();
                        try {
                            full = false;
                            changed.signalAll();
                        } finally {
                            lock.unlock();
                        }
                    });
                }
            } catch (IllegalStateException e) {
                // the response was closed or reset meanwhile
                abandon();
            }
        }
        lock.lock();
        try {
            inFlight--;
            full = queueFull;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
