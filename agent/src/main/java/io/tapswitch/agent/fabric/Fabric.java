package io.tapswitch.agent.fabric;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.NotFoundException;
import io.tapswitch.agent.state.TunnelControl;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * This agent's part in the multi-host fabric: it tells the other agents who it is and which VLANs it
 * serves, learns the same of them, keeps one tunnel port per peer with the VLANs that peer serves
 * (so that a VLAN's flood list is the peers that have it), probes each tunnel, and takes a peer out
 * when it is gone.
 *
 * <p><b>Membership and messaging are the cluster's</b> (Vert.x's clustered event bus on Hazelcast):
 * adverts are published on {@link #ADVERTS} once a second; the cluster's member-left event says a
 * peer left. <b>Forwarding never depends on the cluster</b>, whose open-source edition has no
 * consistent subsystem: every decision is taken here from the last adverts heard, and a peer's port
 * is removed, its MACs flushed, only when the cluster has lost it <em>and</em> its tunnel no longer
 * answers probes. A peer the cluster lost but whose tunnel still answers (a partition of the
 * control plane alone) keeps forwarding; a peer whose tunnel is silent while the cluster still has
 * it (UDP blocked) shows as {@code down} in its tunnel health.
 *
 * <p>Everything here runs on one Vert.x context; changes to the switch are submitted to the
 * {@link ControlPlane} on a worker, one reconciliation at a time.
 */
public final class Fabric implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fabric.class);

    /** Where every agent publishes its {@link HostAdvert}. */
    public static final String ADVERTS = "tapswitch.fabric.adverts";
    /** The owner of the tunnel ports the fabric adds (see {@code TransientPorts}), before the peer's host id. */
    public static final String OWNER = "fabric ";
    /** The prefix of those ports' names, before the peer's host id. */
    public static final String PORT_PREFIX = "vtep-";
    /** Port names follow interface names' rules, which is what the tunnel and the console expect. */
    static final int MAX_PORT_NAME = 15;
    public static final long ADVERT_PERIOD_MILLIS = 1000;
    public static final long PROBE_PERIOD_MILLIS = 2000;
    /** A peer unheard of this long no longer counts as announced. */
    static final long ADVERT_SILENCE_NANOS = 5_000_000_000L;

    private final Vertx vertx;
    private final Context context;
    private final ControlPlane control;
    private final TunnelControl tunnel;
    private final String hostId;
    private final String vtep;
    private final Supplier<String> apiUrl;
    private final Supplier<String> nodeId;
    private final Supplier<java.util.Collection<String>> clusterNodes;
    /** When each cluster node other than this one was first found silent (no advert heard), by node id. */
    private final Map<String, Long> silentSince = new HashMap<>();
    private MessageConsumer<JsonObject> adverts;
    private volatile long resubscriptions;
    private final long started = System.currentTimeMillis();
    private final Map<String, Peer> peers = new HashMap<>();
    private final List<Long> timers = new ArrayList<>();
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private long seq;
    private int probeSeq;
    private volatile HostAdvert own;
    private boolean reconciling;
    private boolean again;
    private volatile boolean closed;

    /**
     * @param vtep   this host's VTEP, {@code address:port}; port 0 when it has no tunnel endpoint
     * @param nodeId this agent's cluster node id (read when adverts are made)
     * @param clusterNodes the node ids the cluster counts as members now, this one included: a
     *                     member whose adverts stay unheard makes this agent subscribe to adverts
     *                     again (see {@link #resubscribeIfDeaf})
     */
    public Fabric(Vertx vertx, ControlPlane control, TunnelControl tunnel, String hostId, String vtep,
                  Supplier<String> apiUrl, Supplier<String> nodeId, Supplier<java.util.Collection<String>> clusterNodes) {
        this.clusterNodes = clusterNodes;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.control = control;
        this.tunnel = tunnel;
        this.hostId = hostId;
        this.vtep = vtep;
        this.apiUrl = apiUrl;
        this.nodeId = nodeId;
    }

    /** Starts advertising, listening, probing; call once. Completes once adverts are listened to. */
    public io.vertx.core.Future<Void> start() {
        return onContext(() -> {
            subscribe();
            consumers.add(vertx.eventBus().<JsonObject>localConsumer(io.tapswitch.agent.event.Events.CONFIG,
                    m -> advertise()));
            timers.add(vertx.setPeriodic(ADVERT_PERIOD_MILLIS, id -> {
                advertise();
                resubscribeIfDeaf();
                review();
            }));
            timers.add(vertx.setPeriodic(PROBE_PERIOD_MILLIS, id -> probe()));
            advertise();
            return null;
        });
    }

    /**
     * Runs {@code work} on the fabric's event-loop context, the one thread that touches its state,
     * and completes with its result.
     */
    private <T> io.vertx.core.Future<T> onContext(java.util.concurrent.Callable<T> work) {
        io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
        context.runOnContext(v -> {
            try {
                promise.complete(work.call());
            } catch (Exception e) {
                promise.fail(e);
            }
        });
        return promise.future();
    }

    private void subscribe() {
        adverts = vertx.eventBus().consumer(ADVERTS, m -> heard(HostAdvert.of(m.body())));
        consumers.add(adverts);
    }

    /**
     * Subscribes to adverts anew when a cluster member has gone unheard for
     * {@link #ADVERT_SILENCE_NANOS}. Every agent advertises once a second, so a member that is
     * silent that long while the cluster still has it means its publications do not reach this
     * agent: its event bus does not list this agent's subscription. That was seen once in the VM
     * fabric test, two agents started together: both members of one cluster, one heard the other
     * and never the reverse, for 40 s. The likeliest cause is the event that announces a
     * subscription to the other members (a Hazelcast map event) lost while the new cluster moved
     * its partitions; such an event is not repeated. A new registration is announced anew, which
     * puts this agent back on the peers' lists; the old one goes once the new one is in place.
     * Tried at most once per silence period.
     */
    private void resubscribeIfDeaf() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        java.util.Set<String> heardNodes = new java.util.HashSet<>();
        for (Peer p : peers.values()) {
            if (p.advert != null && now - p.lastAdvertNanos < ADVERT_SILENCE_NANOS) {
                heardNodes.add(p.advert.nodeId());
            }
        }
        java.util.Collection<String> nodes = clusterNodes.get();
        silentSince.keySet().retainAll(nodes);
        String self = nodeId.get();
        String unheard = null;
        for (String node : nodes) {
            if (node.equals(self) || heardNodes.contains(node)) {
                silentSince.remove(node);
                continue;
            }
            long since = silentSince.computeIfAbsent(node, k -> now);
            if (now - since >= ADVERT_SILENCE_NANOS) {
                unheard = node;
            }
        }
        if (unheard == null) {
            return;
        }
        LOG.warn("fabric: no advert from cluster member {} for {} s although the cluster has it; subscribing to adverts again",
                unheard, ADVERT_SILENCE_NANOS / 1_000_000_000L);
        MessageConsumer<JsonObject> old = adverts;
        subscribe();
        consumers.remove(old);
        old.unregister();
        resubscriptions++;
        // every member gets a whole silence period again, which is what limits this to once per period
        silentSince.replaceAll((node, since) -> now);
    }

    /** How often this agent subscribed to adverts anew because a cluster member stayed unheard. */
    public long advertResubscriptions() {
        return resubscriptions;
    }

    /** The cluster says node {@code node} left; may be called from any thread. */
    public void memberLeft(String node) {
        context.runOnContext(v -> {
            for (Peer p : peers.values()) {
                if (p.advert != null && node.equals(p.advert.nodeId())) {
                    p.member = false;
                    LOG.info("fabric: the cluster lost {} (node {})", p.hostId, node);
                }
            }
            review();
        });
    }

    /** This host's id in the fabric. */
    public String hostId() {
        return hostId;
    }

    /** This host's own advert, as last published. */
    public HostAdvert self() {
        return own;
    }

    /** The peers as this agent knows them now; call on any thread (the answer is a snapshot). */
    public io.vertx.core.Future<List<PeerView>> peers() {
        return onContext(() -> {
            List<PeerView> out = new ArrayList<>();
            for (Peer p : peers.values()) {
                out.add(PeerView.of(p));
            }
            out.sort(java.util.Comparator.comparing(PeerView::hostId));
            return out;
        });
    }

    private void advertise() {
        if (closed) {
            return;
        }
        Served served = served();
        own = new HostAdvert(hostId, nodeId.get(), vtep, apiUrl.get(), served.all(), served.vlans(), started, ++seq);
        vertx.eventBus().publish(ADVERTS, own.toJson());
    }

    /** The VLANs this host's own ports carry: a trunk without a list carries all of them. */
    private Served served() {
        boolean all = false;
        java.util.BitSet vlans = new java.util.BitSet();
        for (PortSpec p : control.config().ports()) {
            if (p.kind() == PortSpec.PortKindSpec.VTEP || p.kind() == PortSpec.PortKindSpec.TUNNEL) {
                continue;
            }
            VlanConfig v = p.vlan() == null ? VlanConfig.DEFAULT : p.vlan().toVlanConfig();
            switch (v.mode()) {
                case TRUNK -> {
                    if (v.trunks().isEmpty()) {
                        all = true;
                    } else {
                        add(vlans, v.trunks());
                    }
                }
                case ACCESS, DOT1Q_TUNNEL -> vlans.set(v.tag());
                case NATIVE_UNTAGGED, NATIVE_TAGGED -> {
                    vlans.set(v.tag());
                    if (v.trunks().isEmpty()) {
                        all = true;
                    } else {
                        add(vlans, v.trunks());
                    }
                }
            }
        }
        return new Served(all, all ? "" : VlanSet.of(vlans.stream().toArray()).toString());
    }

    private static void add(java.util.BitSet into, VlanSet vlans) {
        for (int vid : vlans.toArray()) {
            into.set(vid);
        }
    }

    private record Served(boolean all, String vlans) {
    }

    private void heard(HostAdvert advert) {
        if (closed || advert == null || advert.hostId().equals(hostId)) {
            return;
        }
        Peer p = peers.computeIfAbsent(advert.hostId(), Peer::new);
        boolean changed = !advert.sameFacts(p.advert);
        if (p.advert != null && advert.started() < p.advert.started()) {
            return;
        }
        if (p.advert == null || advert.started() != p.advert.started()) {
            LOG.info("fabric: {} announced, VTEP {}, VLANs {}", advert.hostId(), advert.vtep(),
                    advert.allVlans() ? "all" : advert.vlans());
            p.firstProbeNanos = 0;
            p.probes = TunnelControl.ProbeTimes.NEVER;
        }
        p.advert = advert;
        p.lastAdvertNanos = System.nanoTime();
        p.member = true;
        if (changed || p.state != Peer.State.UP) {
            review();
        }
    }

    private void probe() {
        if (closed) {
            return;
        }
        probeSeq++;
        long now = System.nanoTime();
        for (Peer p : peers.values()) {
            if (p.port == null) {
                continue;
            }
            if (p.firstProbeNanos == 0) {
                p.firstProbeNanos = now;
            }
            tunnel.probe(p.port, false, probeSeq);
            tunnel.probe(p.port, true, probeSeq);
        }
        review();
    }

    /** Recomputes every peer's health and state, and reconciles the switch's tunnel ports with them. */
    private void review() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        for (Peer p : peers.values()) {
            if (p.port != null) {
                p.probes = tunnel.probeTimes(p.port);
                p.health = TunnelHealth.of(now, p.firstProbeNanos, p.probes.lastSmall(), p.probes.lastFull());
            }
            boolean announced = p.member && now - p.lastAdvertNanos < ADVERT_SILENCE_NANOS;
            Peer.State next;
            if (announced) {
                next = Peer.State.UP;
            } else if (p.port != null && (p.health == TunnelHealth.UP || p.health == TunnelHealth.MTU_BAD)) {
                next = Peer.State.PARTITIONED;
            } else if (p.port != null && p.health == TunnelHealth.UNKNOWN) {
                next = p.state;
            } else {
                next = Peer.State.DOWN;
            }
            if (next != p.state) {
                LOG.info("fabric: {} is {} (cluster member: {}, tunnel {})", p.hostId, next.wireName(), p.member,
                        p.health.wireName());
                if (next == Peer.State.DOWN) {
                    p.downSinceNanos = now;
                }
                p.state = next;
            }
        }
        reconcile();
    }

    /** Brings the switch's fabric ports in line with the peers, one reconciliation at a time. */
    private void reconcile() {
        if (reconciling) {
            again = true;
            return;
        }
        List<PortPlan> plans = new ArrayList<>();
        for (Peer p : peers.values()) {
            boolean wanted = tunnels() && p.state != Peer.State.DOWN && p.advert != null && p.advert.vtepPort() != 0
                    && (p.advert.allVlans() || !p.advert.vlans().isEmpty());
            String name = portName(p.hostId);
            if (wanted) {
                HostAdvert a = p.advert;
                if (p.port == null || p.portAllVlans != a.allVlans() || !p.portVlans.equals(a.vlans())
                        || !a.vtep().equals(currentRemote(name))) {
                    plans.add(new PortPlan(p, name, a));
                }
            } else if (p.port != null) {
                plans.add(new PortPlan(p, name, null));
            }
        }
        if (plans.isEmpty()) {
            return;
        }
        reconciling = true;
        vertx.executeBlocking(() -> {
            List<PortPlan> done = new ArrayList<>();
            for (PortPlan plan : plans) {
                try {
                    apply(plan);
                    done.add(plan);
                } catch (RuntimeException e) {
                    LOG.warn("fabric: cannot {} the port of {}: {}", plan.advert == null ? "remove" : "set up",
                            plan.peer.hostId, e.getMessage());
                }
            }
            return done;
        }, true).onComplete(ar -> {
            reconciling = false;
            if (ar.succeeded()) {
                for (PortPlan plan : ar.result()) {
                    Peer p = plan.peer;
                    if (plan.advert == null) {
                        p.port = null;
                    } else {
                        p.port = plan.name;
                        p.portAllVlans = plan.advert.allVlans();
                        p.portVlans = plan.advert.vlans();
                    }
                }
            }
            if (again) {
                again = false;
                review();
            }
        });
    }

    /** Whether this host has a tunnel endpoint (a {@code vxlan} section); without one the fabric shares only its API. */
    private boolean tunnels() {
        return !vtep.endsWith(":0");
    }

    /**
     * The tunnel port of peer {@code host}: {@code vtep-HOST}, or, when that is longer than an
     * interface name may be, the host's first letters and a hash of the whole id. The API names the
     * host of each port through its owner, so the name need not carry all of it.
     */
    public static String portName(String host) {
        String plain = PORT_PREFIX + host;
        if (plain.length() <= MAX_PORT_NAME) {
            return plain;
        }
        String hash = String.format("%04x", host.hashCode() & 0xffff);
        return PORT_PREFIX + host.substring(0, MAX_PORT_NAME - PORT_PREFIX.length() - 5) + "-" + hash;
    }

    /** The peer that owns a tunnel port, from the port's owner, or null when the fabric does not own it. */
    public static String hostOf(String owner) {
        return owner != null && owner.startsWith(OWNER) ? owner.substring(OWNER.length()) : null;
    }

    private String currentRemote(String name) {
        PortSpec spec = control.config().port(name);
        return spec == null ? null : spec.remote();
    }

    private record PortPlan(Peer peer, String name, HostAdvert advert) {
    }

    /** Adds, updates or removes one peer's port; runs on a worker. */
    private void apply(PortPlan plan) {
        PortSpec existing = control.config().port(plan.name);
        if (plan.advert == null) {
            if (existing != null) {
                control.submit(new Change.RemovePort(plan.name), null);
                LOG.info("fabric: {} removed from the flood lists, its MACs flushed", plan.peer.hostId);
            }
            return;
        }
        VlanConfig vlans = VlanConfig.trunk(plan.advert.allVlans() ? VlanSet.EMPTY : VlanSet.parse(plan.advert.vlans()));
        if (existing != null && !plan.advert.vtep().equals(existing.remote())) {
            control.submit(new Change.RemovePort(plan.name), null);
            existing = null;
        }
        if (existing == null) {
            control.submit(new Change.AddPort(PortSpec.vtep(plan.name, plan.advert.vtep(), VlanSpec.of(vlans)),
                    OWNER + plan.peer.hostId), null);
            LOG.info("fabric: tunnel port {} to {} at {}", plan.name, plan.peer.hostId, plan.advert.vtep());
        } else {
            try {
                control.submit(new Change.SetVlan(plan.name, VlanSpec.of(vlans)), null);
            } catch (NotFoundException e) {
                // removed meanwhile: the next review adds it again
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        context.runOnContext(v -> {
            timers.forEach(vertx::cancelTimer);
            consumers.forEach(MessageConsumer::unregister);
        });
    }

    /**
     * One peer as the API shows it.
     *
     * @param state   {@code up}, {@code partitioned} or {@code down}
     * @param member  whether the cluster counts it as a member
     * @param tunnel  the tunnel's health: {@code unknown}, {@code up}, {@code down} or {@code mtu-bad}
     * @param port    its tunnel port on this switch, or null when it has none
     * @param rttMicros the last probe's round trip, 0 when unknown
     * @param advertAgeMillis how long since its last advert
     */
    public record PeerView(String hostId, String state, boolean member, String tunnel, String vtep, String apiUrl,
                           boolean allVlans, String vlans, String port, long rttMicros, long advertAgeMillis) {
        static PeerView of(Peer p) {
            HostAdvert a = p.advert;
            return new PeerView(p.hostId, p.state.wireName(), p.member, p.health.wireName(),
                    a == null ? null : a.vtep(), a == null ? null : a.apiUrl(), a != null && a.allVlans(),
                    a == null ? "" : a.vlans(), p.port, p.probes.rttNanos() / 1000,
                    p.lastAdvertNanos == 0 ? -1 : (System.nanoTime() - p.lastAdvertNanos) / 1_000_000);
        }
    }
}
