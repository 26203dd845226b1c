package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.sys.Epoll;
import io.tapswitch.core.sys.EpollEvents;
import io.tapswitch.core.sys.EpollSet;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.EventFd;
import io.tapswitch.core.sys.NativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarding thread that reads many ports: it waits in {@code epoll_wait} for any of them, and
 * in each pass drains every ready port (until it has nothing more or {@link #BUDGET} frames were
 * read from it), forwarding each frame as it goes ({@link Switch#process}).
 *
 * <p><b>Why a loop and not a thread per port.</b> A round trip through a thread-per-port switch
 * wakes two sleeping threads, one per direction, and 256 ports cost 256 threads. A loop that is
 * still awake when the reply arrives forwards it in the same pass or the next one without sleeping,
 * and the thread count is the configured number of loops, whatever the number of ports. The loop
 * blocks only after a pass that found nothing; with {@code spinMicros} set it first keeps looking
 * (non-blocking waits) that long, which saves a wake-up when traffic comes in quick succession but
 * takes the CPU from the traffic's own senders on a small machine, so it is off by default.
 *
 * <p><b>Which ports.</b> The control side ({@link Switch}) gives each loop its ports as an immutable
 * array ({@link #assign}), never changed in place; the loop compares it with the array it applied
 * last at the start of every pass and adds or removes descriptors in its epoll set accordingly. Only
 * the loop touches its epoll set. Each pass also starts by recording the switch's generation
 * ({@link #acknowledged()}): once a loop has acknowledged a generation, it has finished every pass
 * that could have used an older topology or port array, which is what the control side waits for
 * before it closes a removed port's descriptor. Level-triggered registration keeps the budget simple:
 * a port left with frames is reported again by the next wait.
 *
 * <p><b>Failed devices.</b> A port whose receive returns an errno (its netdev deleted, a packet
 * socket's interface gone) goes operationally down and leaves the epoll set: a TAP whose netdev is
 * gone polls POLLERR for ever and would otherwise keep the loop spinning. The loop looks at it again
 * once a second from its wait timeout, by reading it; the port's own recovery
 * ({@code DeviceRecovery}) decides whether the device is back, and a clean read brings the port up
 * and into the set again. A port that reports an error condition with nothing to read is left out
 * of the set for 10 ms at first, then a second at a time, for the same reason.
 *
 * <p><b>Batched sends.</b> Frames for AF_PACKET egress ports are queued during the pass
 * ({@link EgressBatches}) and each port's queue leaves with one {@code sendmmsg} when the pass ends.
 * A queued frame is sent from its buffer, so the loop reads into other frames meanwhile: it keeps a
 * pool of frames, made as needed up to {@link #POOL}, and when the pool runs dry in mid-pass it sends
 * the queues early.
 *
 * <p><b>Link impairments.</b> A port with an impairment ({@link Impairments}) may have the loop hold
 * copies of its frames in a delay line. The loop releases what is due at the start of each pass, and
 * only while some line holds frames does its wait end at the earliest due time (millisecond
 * resolution, rounded up) instead of waiting for ever: an idle loop sleeps, impaired or not.
 *
 * <p><b>Memory.</b> The loop owns {@link Frame}s (66 KB each, enough for a GSO super-frame): as
 * many as one receive call needs (the largest {@link Port#receiveBatch()}) while nothing is queued,
 * at most {@link #POOL}; an event array; a few per-port-id arrays; a 5 KB send queue per AF_PACKET
 * port it sent to. Its memory does not grow with the ports it reads. Nothing is allocated per frame
 * or per pass.
 */
final class EventLoop implements Runnable, AutoCloseable, Impairments.Release {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    /** Frames read from one port per pass at most, so that a busy port cannot starve the others. */
    static final int BUDGET = 64;
    /** Most frames one receive call asks for. */
    static final int MAX_BATCH = 64;
    private static final long WAKEUP = -1L;
    private static final long RETRY_NANOS = 1_000_000_000L;
    private static final long ERROR_BACKOFF_NANOS = 10_000_000L;
    private static final int ERROR_ROUNDS_BEFORE_SLOW = 3;
    /** Frames a loop may own: enough for a pass's queued sends to one port. */
    static final int POOL = BUDGET;
    private static final SwitchPort[] NONE = new SwitchPort[0];

    private final Switch owner;
    private final int index;
    private final long spinNanos;
    private final EpollSet epoll;
    private final EventFd wakeup;
    private final EpollEvents events = new EpollEvents(64);
    /** Frames ready for the next receive call, a stack; made as needed, at most {@link #POOL} in all. */
    private final Frame[] free = new Frame[POOL];
    private int freeCount;
    /** Frames a queued send still refers to ({@link Frame#held}), free again after {@link #flush()}. */
    private final Frame[] held = new Frame[POOL];
    private int heldCount;
    private int owned;
    /** The frames of the receive call under way, taken from {@link #free}. */
    private final Frame[] receiving = new Frame[MAX_BATCH];
    /** Sends queued during a pass for ports that send in bursts. */
    private final EgressBatches batches = new EgressBatches();
    /** Delay lines of the impaired ports this loop reads from or sends to. */
    private final Impairments impair;
    /** The largest receive batch of the ports applied so far. */
    private int batch = 1;
    private final Thread thread;
    private volatile boolean running = true;

    /** The ports this loop serves, as the control side last assigned them; replaced, never changed. */
    private volatile SwitchPort[] assigned = NONE;
    /** The switch generation this loop read at the start of its current pass. */
    private volatile long acknowledged = -1;

    /* The loop thread's own state, indexed by port id. */
    private SwitchPort[] applied = NONE;
    private final SwitchPort[] byId = new SwitchPort[MacTable.MAX_PORTS];
    private final boolean[] polled = new boolean[MacTable.MAX_PORTS];
    /** When a port out of the epoll set is looked at again ({@code System.nanoTime()}); 0 when it is in. */
    private final long[] retryAt = new long[MacTable.MAX_PORTS];
    private final int[] errorRounds = new int[MacTable.MAX_PORTS];
    /**
     * Ports whose last drain stopped at the budget rather than at "nothing more": served again in the
     * next pass whether or not epoll reports them, because a port may hold frames it has read from
     * its descriptor but not handed out yet (a tunnel endpoint's GRO staging), which no wait reports.
     */
    private int[] unfinished = new int[MacTable.MAX_PORTS];
    private final boolean[] isUnfinished = new boolean[MacTable.MAX_PORTS];
    private int unfinishedCount;
    /** The previous pass's {@link #unfinished}, being served in this one (the two arrays swap). */
    private int[] carried = new int[MacTable.MAX_PORTS];
    private final int[] served = new int[MacTable.MAX_PORTS];
    private int pass;
    private int parked;
    /** The earliest {@link #retryAt} of a parked port. */
    private long nextRetry;

    EventLoop(Switch owner, int index, int spinMicros) throws NativeException {
        this.owner = owner;
        this.index = index;
        this.spinNanos = spinMicros * 1000L;
        this.impair = new Impairments(0x5EEDL + index);
        EventFd w = new EventFd();
        EpollSet e = null;
        try {
            e = new EpollSet();
            e.addOrThrow(w.fd(), Epoll.EPOLLIN, WAKEUP, "wakeup eventfd");
        } catch (NativeException | RuntimeException failure) {
            if (e != null) {
                e.close();
            }
            w.close();
            throw failure;
        }
        this.wakeup = w;
        this.epoll = e;
        this.thread = new Thread(this, "tapswitch-loop-" + index);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    int index() {
        return index;
    }

    Thread thread() {
        return thread;
    }

    /** The ports assigned to this loop now. */
    SwitchPort[] assigned() {
        return assigned;
    }

    /**
     * Hands the loop a new set of ports, to be applied at the start of its next pass
     * ({@link #acknowledged()} tells when); the caller then {@link #wake}s it.
     */
    void assign(SwitchPort[] ports) {
        assigned = ports;
    }

    /** Wakes the loop for a pass, so that it acknowledges the switch's current generation. */
    void wake() {
        wakeup.signal();
    }

    /** The generation the loop read at the start of its current pass; -1 before the first. */
    long acknowledged() {
        return acknowledged;
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    @Override
    public void run() {
        boolean busy = false;
        long idleSince = 0;
        while (running) {
            long generation = owner.generation();
            if (assigned != applied) {
                apply(assigned);
            }
            acknowledged = generation;
            int timeout;
            if (busy) {
                timeout = 0;
                idleSince = 0;
            } else if (spinNanos > 0 && spinning(idleSince)) {
                if (idleSince == 0) {
                    idleSince = System.nanoTime();
                }
                timeout = 0;
            } else {
                timeout = parked > 0 ? retryTimeout() : -1;
                if (impair.any()) {
                    timeout = earliest(timeout, impair.timeoutMillis(System.nanoTime()));
                }
            }
            int n = epoll.wait(events, timeout);
            busy = false;
            try {
                busy = pass(n);
            } catch (RuntimeException e) {
                // A bug in the frame path must not take every port of the loop down with it.
                LOG.error("event loop {}: pass failed", index, e);
                reclaimFrames();
            }
        }
    }

    /**
     * Serves the {@code n} entries the last wait reported, then the parked ports that are due;
     * returns whether frames were read.
     */
    private boolean pass(int n) {
        boolean busy = false;
        if (n > 0 || unfinishedCount > 0) {
            owner.tick();
        }
        pass++;
        int[] carry = unfinished;
        unfinished = carried;
        carried = carry;
        int carriedCount = unfinishedCount;
        unfinishedCount = 0;
        for (int i = 0; i < carriedCount; i++) {
            isUnfinished[carry[i]] = false;
        }
        // Before anything new is read: what an impairment held (or still holds after it was cleared)
        // leaves ahead of the frames that came after it.
        if (impair.any()) {
            busy |= impair.release(System.nanoTime(), owner.topology(), this);
        }
        for (int i = 0; i < n; i++) {
            long data = events.data(i);
            if (data == WAKEUP) {
                wakeup.drain();
                continue;
            }
            SwitchPort port = byId[(int) data];
            if (port != null && polled[port.id()]) {
                busy |= serve(port, events.events(i));
            }
        }
        for (int i = 0; i < carriedCount; i++) {
            int id = carry[i];
            SwitchPort port = byId[id];
            if (port != null && polled[id] && served[id] != pass) {
                busy |= serve(port, 0);
            }
        }
        if (parked > 0) {
            busy |= retryParked();
        }
        if (heldCount > 0 || batches.pending()) {
            flush();
        }
        return busy;
    }

    /** The sooner of two epoll timeouts, -1 meaning for ever. */
    private static int earliest(int a, int b) {
        if (a < 0) {
            return b;
        }
        return b < 0 ? a : Math.min(a, b);
    }

    @Override
    public Frame lend(int id) {
        take(1, id);
        return receiving[0];
    }

    @Override
    public void giveBack() {
        giveBack(1);
    }

    @Override
    public void send(SwitchPort port, Frame frame) {
        owner.sendReleased(port, frame, batches);
    }

    @Override
    public void process(Frame frame) {
        owner.process(frame, batches, impair, true);
    }

    /** Whether a loop that has found nothing since {@code idleSince} (0: just now) should keep looking. */
    private boolean spinning(long idleSince) {
        return idleSince == 0 || System.nanoTime() - idleSince < spinNanos;
    }

    /**
     * Reads one ready port until it has nothing more or gave {@link #BUDGET} frames and forwards
     * what it read; takes it out of the set when it failed. Returns whether frames were read.
     */
    private boolean serve(SwitchPort port, int ready) {
        int id = port.id();
        served[id] = pass;
        int got = drain(port);
        if (got < 0) {
            park(port, RETRY_NANOS);
            return false;
        }
        if (got == 0 && (ready & (Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0) {
            // An error condition with nothing to read: back off instead of spinning on it.
            park(port, errorRounds[id]++ < ERROR_ROUNDS_BEFORE_SLOW ? ERROR_BACKOFF_NANOS : RETRY_NANOS);
            return false;
        }
        errorRounds[id] = 0;
        return got > 0;
    }

    /**
     * Receives from {@code port} and forwards; returns the frames read, or a negated errno when the
     * device failed before any frame was read this time. Reports the port's operational state as
     * the reads show it: a clean read (a frame, or nothing to read) brings a failed port up again.
     */
    private int drain(SwitchPort port) {
        Port device = port.device();
        int id = port.id();
        int perCall = Math.max(1, Math.min(device.receiveBatch(), batch));
        int total = 0;
        while (total < BUDGET) {
            int max = Math.min(perCall, BUDGET - total);
            take(max, id);
            int n = device.receive(receiving, max);
            if (n >= 0 && !port.operUp()) {
                // A frame, or just as telling after a failure a clean "nothing to read" (ports keep
                // returning the errno until they recovered): waiting for a frame instead would leave
                // a silent host unreachable for good, as floods skip ports that are down.
                owner.operStateChanged(port, true);
            }
            for (int k = 0; k < n; k++) {
                owner.process(receiving[k], batches, impair, false);
            }
            giveBack(max);
            if (n < 0) {
                port.stats().receiveError();
                if (port.operUp()) {
                    LOG.warn("port {}: receive failed ({}), marking it down", port.name(), Errno.describe(-n));
                    owner.operStateChanged(port, false);
                }
                return total > 0 ? total : n;
            }
            total += n;
            if (n < max || n == 0) {
                return total;
            }
        }
        if (!isUnfinished[id]) {
            isUnfinished[id] = true;
            unfinished[unfinishedCount++] = id;
        }
        return total;
    }

    /** Takes a port out of the epoll set until {@code delayNanos} from now. */
    private void park(SwitchPort port, long delayNanos) {
        int id = port.id();
        if (polled[id]) {
            epoll.remove(port.device().pollFd());
            polled[id] = false;
        }
        long at = System.nanoTime() + delayNanos;
        if (at == 0) {
            at = 1;
        }
        if (retryAt[id] == 0) {
            parked++;
        }
        retryAt[id] = at;
        if (parked == 1 || at - nextRetry < 0) {
            nextRetry = at;
        }
    }

    /** Milliseconds until the earliest parked port is due, rounded up; 0 when one is due now. */
    private int retryTimeout() {
        long left = nextRetry - System.nanoTime();
        return left <= 0 ? 0 : (int) Math.min(RETRY_NANOS / 1_000_000, (left + 999_999) / 1_000_000);
    }

    /**
     * Looks again at the parked ports that are due: a failed one is read (its recovery decides
     * whether it is back) and rejoins the set once a read was clean; one parked for an error
     * condition simply rejoins, and the next wait tells whether the condition persists.
     */
    private boolean retryParked() {
        long now = System.nanoTime();
        if (nextRetry - now > 0) {
            return false;
        }
        boolean read = false;
        for (SwitchPort p : applied) {
            int id = p.id();
            long at = retryAt[id];
            if (at == 0 || at - now > 0) {
                continue;
            }
            retryAt[id] = 0;
            parked--;
            if (!p.operUp()) {
                int got = drain(p);
                if (got < 0) {
                    park(p, RETRY_NANOS);
                    continue;
                }
                read |= got > 0;
            }
            register(p);
        }
        boolean first = true;
        for (SwitchPort p : applied) {
            long at = retryAt[p.id()];
            if (at != 0 && (first || at - nextRetry < 0)) {
                nextRetry = at;
                first = false;
            }
        }
        return read;
    }

    /** Puts a port in the epoll set; one that cannot be added is parked and tried again later. */
    private void register(SwitchPort port) {
        int id = port.id();
        int fd = port.device().pollFd();
        if (fd < 0) {
            return;
        }
        int result = epoll.add(fd, Epoll.EPOLLIN, id);
        if (result == 0 || result == -Errno.EEXIST) {
            polled[id] = true;
        } else {
            LOG.warn("port {}: cannot wait on its descriptor ({}), trying again in a second", port.name(),
                    Errno.describe(-result));
            park(port, RETRY_NANOS);
        }
    }

    /** Makes {@code next} the loop's ports: removed ones leave the epoll set, new ones join it. */
    private void apply(SwitchPort[] next) {
        for (SwitchPort p : applied) {
            if (!contains(next, p)) {
                int id = p.id();
                if (polled[id]) {
                    epoll.remove(p.device().pollFd());
                    polled[id] = false;
                }
                if (retryAt[id] != 0) {
                    retryAt[id] = 0;
                    parked--;
                }
                errorRounds[id] = 0;
                byId[id] = null;
            }
        }
        for (SwitchPort p : next) {
            if (byId[p.id()] != p) {
                byId[p.id()] = p;
                growFrames(p.device().receiveBatch());
                register(p);
            }
        }
        applied = next;
    }

    private static boolean contains(SwitchPort[] ports, SwitchPort port) {
        for (SwitchPort p : ports) {
            if (p == port) {
                return true;
            }
        }
        return false;
    }

    private void growFrames(int receiveBatch) {
        batch = Math.max(batch, Math.max(1, Math.min(MAX_BATCH, receiveBatch)));
    }

    /**
     * Puts {@code count} free frames, reset and marked as read on port {@code id}, in
     * {@link #receiving}. When too few are free, more are made while the loop owns fewer than
     * {@link #POOL}; after that the queued sends go out first, which frees the frames they held.
     */
    private void take(int count, int id) {
        if (freeCount < count && owned + count - freeCount > POOL) {
            flush();
        }
        while (freeCount < count) {
            free[freeCount++] = new Frame(MacTable.MAX_PORTS);
            owned++;
        }
        for (int k = 0; k < count; k++) {
            Frame f = free[--freeCount];
            f.reset();
            f.inPort = id;
            receiving[k] = f;
        }
    }

    /** Returns the frames of the last receive call: held ones until the flush, the rest at once. */
    private void giveBack(int count) {
        for (int k = 0; k < count; k++) {
            Frame f = receiving[k];
            receiving[k] = null;
            if (f.held) {
                held[heldCount++] = f;
            } else {
                free[freeCount++] = f;
            }
        }
    }

    /** After a pass ended in an exception: sends what is queued and frees the frames of the receive call it left. */
    private void reclaimFrames() {
        flush();
        for (int k = 0; k < receiving.length; k++) {
            Frame f = receiving[k];
            if (f != null) {
                receiving[k] = null;
                f.held = false;
                free[freeCount++] = f;
            }
        }
    }

    /** Sends every queued frame; the frames they held are free again. */
    private void flush() {
        batches.flush();
        while (heldCount > 0) {
            Frame f = held[--heldCount];
            held[heldCount] = null;
            f.held = false;
            free[freeCount++] = f;
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

    @Override
    public void close() {
        stop(2000);
        epoll.close();
        wakeup.close();
    }
}
