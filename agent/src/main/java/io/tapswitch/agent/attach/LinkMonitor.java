package io.tapswitch.agent.attach;

import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.EventFd;
import io.tapswitch.core.sys.LinkSocket;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.PollFds;
import io.tapswitch.core.sys.Poll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Tells a {@link Listener} which network interfaces appear and go, as the kernel announces them on
 * an rtnetlink socket ({@link LinkSocket}): no polling, so a TAP is known a few milliseconds after
 * it is made.
 *
 * <p>One thread, {@code tapswitch-links}, sleeps in {@code poll(2)} on the socket and on an
 * eventfd that {@link #close} signals, so stopping is prompt. It starts by asking for every
 * existing link, which the listener gets as {@link Listener#present}: interfaces made before the
 * agent started are found the same way as new ones. Events can be lost: the kernel drops them when
 * the socket's queue is full (the next read says ENOBUFS), and none arrive while the socket is
 * broken. Either way the monitor asks again for every link (reopening the socket, after a pause,
 * when it failed), and {@code present} lets the listener catch up on what it missed, in both
 * directions.
 *
 * <p>The listener is called on the monitor's thread, one call at a time; it may block (it adds
 * ports through the control plane), delaying only the events after it.
 */
public final class LinkMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinkMonitor.class);

    /** What the monitor reports. Calls are idempotent on the listener's side: a link may be reported twice. */
    public interface Listener {
        /** Interface {@code name} exists: it appeared, changed, or was found by a rescan. */
        void appeared(String name);

        /** Interface {@code name} has gone. */
        void gone(String name);

        /**
         * A rescan ended: these are all the interfaces there are now; any the listener knew of
         * and does not find here went while it was not told.
         */
        void present(Set<String> names);
    }

    private final Listener listener;
    private final Duration retry;
    private final int receiveBuffer;
    private final EventFd wakeup;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean failureInjected;
    private volatile long rescans;
    private volatile long reopens;
    private LinkSocket socket;

    private LinkMonitor(Listener listener, Duration retry, int receiveBuffer, LinkSocket socket, EventFd wakeup) {
        this.listener = listener;
        this.retry = retry;
        this.receiveBuffer = receiveBuffer;
        this.socket = socket;
        this.wakeup = wakeup;
        this.thread = new Thread(this::run, "tapswitch-links");
        this.thread.setDaemon(true);
    }

    /**
     * Opens the socket and starts the thread; the first thing the listener gets is the links that
     * exist. A socket that cannot be opened is an error here, not a retry: it means no netlink at all.
     *
     * @param retry how long to wait before reopening a socket that failed
     */
    public static LinkMonitor start(Listener listener, Duration retry) throws NativeException {
        return start(listener, retry, LinkSocket.DEFAULT_RECEIVE_BUFFER);
    }

    /**
     * As {@link #start(Listener, Duration)}, with a socket whose receive queue holds about
     * {@code receiveBuffer} bytes: the tests of lost events make it small, so that the kernel
     * overflows it with a few dozen interfaces.
     */
    public static LinkMonitor start(Listener listener, Duration retry, int receiveBuffer) throws NativeException {
        EventFd wakeup = new EventFd();
        LinkSocket socket;
        try {
            socket = LinkSocket.open(receiveBuffer);
        } catch (NativeException | RuntimeException e) {
            wakeup.close();
            throw e;
        }
        LinkMonitor m = new LinkMonitor(listener, retry, receiveBuffer, socket, wakeup);
        m.thread.start();
        return m;
    }

    /** How many times every link was asked for again (lost events, a reopened socket). */
    public long rescans() {
        return rescans;
    }

    /** How many times the socket was reopened after failing. */
    public long reopens() {
        return reopens;
    }

    /**
     * Breaks the socket as a failure would, for the tests of recovery: the monitor closes it,
     * waits its retry pause (missing whatever happens meanwhile), reopens it and rescans.
     */
    public void injectFailure() {
        failureInjected = true;
        wakeup.signal();
    }

    private void run() {
        int seq = 0;
        PollFds fds = new PollFds(2);
        while (!stopping) {
            try {
                if (socket == null) {
                    socket = LinkSocket.open(receiveBuffer);
                    reopens++;
                    LOG.info("link monitor: socket reopened; rescanning the links");
                }
                seq++;
                Dump dump = new Dump(seq);
                socket.requestDump(seq);
                rescans++;
                while (!stopping) {
                    fds.set(0, socket.fd(), Poll.POLLIN);
                    fds.set(1, wakeup.fd(), Poll.POLLIN);
                    int ready = fds.poll(-1);
                    if (ready < 0) {
                        if (Errno.isTransient(Errno.last())) {
                            continue;
                        }
                        Errno.check("poll", ready);
                    }
                    if (fds.readable(1)) {
                        wakeup.drain();
                        if (failureInjected) {
                            failureInjected = false;
                            throw new Broken("failure injected");
                        }
                        continue;
                    }
                    // POLLERR is also how poll announces ENOBUFS: the read says which error it is.
                    boolean failed = fds.failed(0);
                    try {
                        while (socket.receive(dump)) {
                            // every message handled by the dump's handler
                        }
                    } catch (NativeException e) {
                        if (e.errno() != Errno.ENOBUFS) {
                            throw e;
                        }
                        LOG.warn("link monitor: the kernel dropped link events (ENOBUFS); rescanning the links");
                        failed = false;
                        dump.lost();
                    }
                    if (failed) {
                        throw new Broken("poll reports revents " + fds.revents(0) + " on the socket");
                    }
                    if (dump.lost && dump.ended()) {
                        seq++;
                        dump = new Dump(seq);
                        socket.requestDump(seq);
                        rescans++;
                    }
                }
            } catch (NativeException | Broken | RuntimeException e) {
                if (stopping) {
                    break;
                }
                LOG.warn("link monitor: {}; reopening the socket in {} ms", e.getMessage(), retry.toMillis());
                if (socket != null) {
                    socket.close();
                    socket = null;
                }
                pause();
            }
        }
        if (socket != null) {
            socket.close();
        }
    }

    /** The socket is unusable for a reason that is not an errno. */
    private static final class Broken extends Exception {
        private static final long serialVersionUID = 1L;

        Broken(String message) {
            super(message);
        }
    }

    /** Waits the retry pause, or less when {@link #close} is called. */
    private void pause() {
        PollFds one = new PollFds(1);
        one.set(0, wakeup.fd(), Poll.POLLIN);
        one.poll((int) retry.toMillis());
        if (one.readable(0)) {
            wakeup.drain();
        }
    }

    /** The handler of one dump request: links go to the listener, and the set of them when it ends. */
    private final class Dump implements LinkSocket.Handler {
        private final int seq;
        private Set<String> names = new HashSet<>();
        private boolean lost;

        Dump(int seq) {
            this.seq = seq;
        }

        /**
         * Events were dropped, maybe while this dump ran, so its list may miss a link that came or
         * went meanwhile: it is not reported, and another dump follows once it has ended. Asking
         * before that would be refused (a socket runs one dump at a time, EBUSY), and the refusal
         * would end the new dump with only the links it had seen so far.
         */
        void lost() {
            lost = true;
        }

        boolean ended() {
            return names == null;
        }

        @Override
        public void link(boolean added, int index, String name) {
            if (names != null) {
                if (added) {
                    names.add(name);
                } else {
                    names.remove(name);
                }
            }
            try {
                if (added) {
                    listener.appeared(name);
                } else {
                    listener.gone(name);
                }
            } catch (RuntimeException e) {
                LOG.warn("link monitor: handling {} {} failed: {}", added ? "new link" : "removed link", name, e.getMessage());
            }
        }

        @Override
        public void dumpDone(int doneSeq) {
            if (doneSeq != seq || names == null) {
                return;
            }
            Set<String> found = names;
            names = null;
            if (lost) {
                return;
            }
            try {
                listener.present(Set.copyOf(found));
            } catch (RuntimeException e) {
                LOG.warn("link monitor: handling the rescan failed: {}", e.getMessage());
            }
        }
    }

    /** Stops the thread and closes the socket. Idempotent. */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        wakeup.signal();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wakeup.close();
    }
}
