package io.tapswitch.core.engine;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.EventFd;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.Poll;
import io.tapswitch.core.sys.PollFds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dedicated thread that reads one port and forwards what it reads.
 *
 * <p>It drains the non-blocking device until it is empty (in bursts of several frames per system
 * call where the device allows it, see {@link Port#receiveBatch()}), then sleeps in {@code poll(2)}
 * on the device and on a private eventfd; {@link #stop()} signals the eventfd, so the thread leaves
 * within microseconds without interrupts and without racing a close. When the device fails (its netdev
 * deleted, say) the port goes operationally down and the thread retries once a second, going up
 * again as soon as the device reads cleanly (a frame, or nothing to read) instead of failing.
 */
final class PortWorker implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortWorker.class);
    private static final int RETRY_MILLIS = 1000;
    /** The entries of {@link #pollfds}: the device, then the wakeup eventfd. */
    private static final int DEVICE = 0;
    private static final int WAKEUP = 1;

    private final Switch owner;
    private final SwitchPort port;
    private final EventFd wakeup;
    private final PollFds pollfds = new PollFds(2);
    /** What one receive call fills: {@link Port#receiveBatch()} frames, reused for the thread's life. */
    private final Frame[] frames;
    private final Thread thread;
    private volatile boolean running = true;

    PortWorker(Switch owner, SwitchPort port) throws NativeException {
        this.owner = owner;
        this.port = port;
        this.wakeup = new EventFd();
        this.frames = new Frame[Math.max(1, port.device().receiveBatch())];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new Frame(MacTable.MAX_PORTS);
        }
        this.thread = new Thread(this, "tapswitch-port-" + port.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        Port device = port.device();
        int failures = 0;
        while (running) {
            for (Frame frame : frames) {
                frame.reset();
                frame.inPort = port.id();
            }
            int n = device.receive(frames, frames.length);
            if (n >= 0 && !port.operUp()) {
                // The device works again: a frame arrived, or, just as telling after a failure, a
                // clean "nothing to read" (ports keep returning the errno until they recovered).
                // Waiting for a frame instead would leave a silent host unreachable for good, as
                // floods skip ports that are down.
                failures = 0;
                owner.operStateChanged(port, true);
            }
            if (n > 0) {
                failures = 0;
                for (int i = 0; i < n; i++) {
                    owner.process(frames[i]);
                }
                continue;
            }
            int timeout = -1;
            if (n < 0) {
                port.stats().receiveError();
                if (port.operUp()) {
                    LOG.warn("port {}: receive failed ({}), marking it down", port.name(), Errno.describe(-n));
                    owner.operStateChanged(port, false);
                }
                failures++;
                timeout = RETRY_MILLIS;
            }
            pollfds.set(DEVICE, device.pollFd(), Poll.POLLIN);
            pollfds.set(WAKEUP, wakeup.fd(), Poll.POLLIN);
            int ready = pollfds.poll(timeout);
            if (ready > 0 && pollfds.readable(WAKEUP)) {
                wakeup.drain();
            }
            if (ready > 0 && running && pollfds.failed(DEVICE)) {
                // The device reports an error condition with nothing to read: back off instead of
                // spinning. A failed device (n < 0) may stay in that condition for good (a TAP fd
                // whose netdev was deleted polls POLLERR until it is re-attached), so it waits the
                // full retry interval, on the wakeup fd alone, so that stop() still ends the wait.
                pollfds.poll(WAKEUP, 1, n < 0 || failures++ > 3 ? RETRY_MILLIS : 10);
            }
        }
    }

    /** Asks the thread to leave and waits up to {@code millis} for it. */
    boolean stop(long millis) {
        running = false;
        wakeup.signal();
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    Thread thread() {
        return thread;
    }

    @Override
    public void close() {
        stop(2000);
        wakeup.close();
    }
}
