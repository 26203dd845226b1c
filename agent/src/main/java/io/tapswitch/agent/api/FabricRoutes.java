package io.tapswitch.agent.api;

import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VxlanSpec;
import io.tapswitch.agent.fabric.Fabric;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.NotFoundException;
import io.tapswitch.agent.state.Revision;
import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.tunnel.TunnelEndpoint;
import io.tapswitch.core.tunnel.TunnelStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code /api/v1/fabric} and {@code /api/v1/hosts/{host}/...}: the multi-host fabric as one switch.
 * Any agent answers for all of them: it lists every host it knows with the cluster's and the
 * tunnel's view of it, and asks each host for its own summary, ports, MAC table or counters over the
 * clustered event bus ({@link #address}), each request bounded by {@link #ASK_MILLIS}. A host that
 * does not answer is shown as it was last known, marked unreachable, rather than holding the reply.
 *
 * <p>An agent that runs alone answers the same routes for itself, so clients need no special case.
 */
final class FabricRoutes {
    /** How long a remote host has to answer before it is shown as unreachable. */
    static final long ASK_MILLIS = 1500;
    static final Set<String> OPS = Set.of("summary", "ports", "fdb", "stats");

    /**
     * A host's own account of itself.
     *
     * @param ports      how many ports its switch has (tunnel ports included)
     * @param macs       entries in its MAC table
     * @param revision   its configuration revision
     * @param rxPackets  frames its switch received, all ports
     * @param txPackets  frames its switch sent, all ports
     */
    record Summary(String host, String name, int ports, int macs, long revision, long rxPackets, long txPackets) {
    }

    /**
     * A tunnel port's counters.
     *
     * @param port the switch port of the remote VTEP
     */
    record TunnelCounters(String port, boolean operUp, long rxPackets, long rxBytes, long txPackets, long txBytes,
                          long drops, long txErrors) {
        static TunnelCounters of(SwitchPort p) {
            PortStats s = p.stats();
            return new TunnelCounters(p.name(), p.operUp(), s.rxPackets(), s.rxBytes(), s.txPackets(), s.txBytes(),
                    s.drops(), s.txErrors());
        }
    }

    /**
     * One host of the fabric.
     *
     * @param self      whether it is the host that answered
     * @param state     {@code up}, {@code partitioned} (the cluster lost it, its tunnel answers), {@code down}
     * @param member    whether the cluster counts it as a member
     * @param tunnel    the tunnel's health: {@code unknown}, {@code up}, {@code down}, {@code mtu-bad} (null for self)
     * @param vlans     the VLANs its ports carry ({@code all}, or a list)
     * @param vnis      the VNIs those VLANs travel as (empty for {@code all})
     * @param reachable whether it answered this request over the event bus
     * @param summary   its own account of itself, when it answered
     * @param counters  the tunnel port's counters on the answering host (null for self)
     */
    record HostView(String host, boolean self, String state, boolean member, String tunnel, String vtep, String apiUrl,
                    String vlans, List<Integer> vnis, String port, long rttMicros, long advertAgeMillis, boolean reachable,
                    Object summary, TunnelCounters counters) {
    }

    /** A VTEP that is not an agent, from the {@code vxlan} section. */
    record StaticVtepView(String port, String remote, String vlans, TunnelCounters counters) {
    }

    /**
     * @param clustered whether this agent is part of a cluster
     * @param vxlan     the tunnel endpoint's settings, or null without one
     */
    /**
     * @param tunnel what this host's VXLAN endpoint carried for all its VTEP ports, and whether UDP
     *               segmentation and GRO are at work; null without a tunnel
     */
    record FabricView(String host, boolean clustered, VxlanSpec vxlan, List<HostView> hosts, List<StaticVtepView> staticVteps,
                      TunnelStats tunnel) {
    }

    private final Vertx vertx;
    private final ControlPlane control;
    private final LongSupplier eventsDropped;
    private final Fabric fabric;
    private MessageConsumer<String> consumer;

    /** @param fabric the agent's part in the fabric, or null when it runs alone */
    FabricRoutes(Vertx vertx, ControlPlane control, LongSupplier eventsDropped, Fabric fabric) {
        this.vertx = vertx;
        this.control = control;
        this.eventsDropped = eventsDropped;
        this.fabric = fabric;
    }

    /** The event-bus address where host {@code host} answers questions about itself. */
    static String address(String host) {
        return "tapswitch.fabric.host." + host;
    }

    void mount(Router router) {
        router.get("/api/v1/fabric").handler(this::fabric);
        router.get("/api/v1/hosts/:host/:what").handler(this::host);
        if (fabric != null) {
            consumer = vertx.eventBus().consumer(address(fabric.hostId()), m -> {
                String op = m.body();
                if (!OPS.contains(op)) {
                    m.fail(400, "unknown question '" + op + "'");
                    return;
                }
                vertx.executeBlocking(() -> ApiJson.write(answer(op)).toString(), false)
                        .onSuccess(m::reply)
                        .onFailure(e -> m.fail(500, e.getMessage()));
            });
        }
    }

    void unmount() {
        if (consumer != null) {
            consumer.unregister();
        }
    }

    /** This host's answer to {@code op}. */
    private Object answer(String op) {
        Revision now = control.current();
        return switch (op) {
            case "summary" -> summary(now);
            case "ports" -> PortRoutes.portList(control, now);
            case "fdb" -> new FdbRoutes.FdbList(FdbRoutes.entries(control, -1, -1, -1));
            case "stats" -> StatsRoutes.stats(control, eventsDropped);
            default -> throw new IllegalArgumentException(op);
        };
    }

    private Summary summary(Revision now) {
        Topology t = control.view().topology();
        long rx = 0;
        long tx = 0;
        for (SwitchPort p : t.ports()) {
            rx += p.stats().rxPackets();
            tx += p.stats().txPackets();
        }
        return new Summary(fabric == null ? null : fabric.hostId(), now.config().name(), t.size(),
                control.view().fdb().size(), now.number(), rx, tx);
    }

    private void host(RoutingContext ctx) {
        String host = ctx.pathParam("host");
        String what = ctx.pathParam("what");
        if (!OPS.contains(what) || "summary".equals(what)) {
            throw new NotFoundException("no route /hosts/{host}/" + what + "; known are ports, fdb and stats");
        }
        if (fabric == null || host.equals(fabric.hostId())) {
            if (fabric == null && !"local".equals(host)) {
                throw new NotFoundException("no host named '" + host + "': this agent runs alone (use 'local')");
            }
            Replies.blocking(vertx, ctx, () -> answer(what), body -> Replies.json(ctx, 200, body));
            return;
        }
        fabric.peers().compose(peers -> {
            if (peers.stream().noneMatch(p -> p.hostId().equals(host))) {
                return Future.failedFuture(new NotFoundException("no host named '" + host + "' in the fabric"));
            }
            return ask(host, what);
        }).onSuccess(json -> ctx.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(json)))
                .onFailure(e -> ctx.fail(e instanceof NotFoundException ? e
                        : new io.tapswitch.agent.state.ConflictException("host '" + host + "' did not answer: " + e.getMessage())));
    }

    private Future<String> ask(String host, String op) {
        return vertx.eventBus().<String>request(address(host), op, new DeliveryOptions().setSendTimeout(ASK_MILLIS))
                .map(m -> m.body());
    }

    private void fabric(RoutingContext ctx) {
        VxlanSpec vxlan = control.config().vxlan();
        List<StaticVtepView> statics = staticVteps();
        Topology t = control.view().topology();
        Summary own = summary(control.current());
        if (fabric == null) {
            HostView self = new HostView("local", true, "up", false, null, null, null, vlans(null), List.of(), null,
                    0, 0, true, own, null);
            Replies.json(ctx, 200, new FabricView(null, false, vxlan, List.of(self), statics, tunnelStats(t)));
            return;
        }
        var advert = fabric.self();
        HostView self = new HostView(fabric.hostId(), true, "up", true, null, advert == null ? null : advert.vtep(),
                advert == null ? null : advert.apiUrl(), advert == null ? "" : advert.allVlans() ? "all" : advert.vlans(),
                vnis(advert == null || advert.allVlans() ? null : advert.vlans()), null, 0, 0, true, own, null);
        fabric.peers().onSuccess(peers -> {
            List<Future<HostView>> views = new ArrayList<>();
            for (Fabric.PeerView p : peers) {
                TunnelCounters counters = p.port() == null || t.idOf(p.port()) < 0 ? null
                        : TunnelCounters.of(t.port(t.idOf(p.port())));
                Future<HostView> view = ask(p.hostId(), "summary")
                        .map(json -> (Object) new JsonObject(json))
                        .otherwise((Object) null)
                        .map(summary -> new HostView(p.hostId(), false, p.state(), p.member(), p.tunnel(), p.vtep(),
                                p.apiUrl(), p.allVlans() ? "all" : p.vlans(), vnis(p.allVlans() ? null : p.vlans()),
                                p.port(), p.rttMicros(), p.advertAgeMillis(), summary != null,
                                summary == null ? null : ((JsonObject) summary).getMap(), counters));
                views.add(view);
            }
            Future.all(views).onComplete(ar -> {
                List<HostView> hosts = new ArrayList<>();
                hosts.add(self);
                for (Future<HostView> f : views) {
                    hosts.add(f.result());
                }
                Replies.json(ctx, 200, new FabricView(fabric.hostId(), true, vxlan, hosts, statics, tunnelStats(t)));
            });
        }).onFailure(ctx::fail);
    }

    /** The counters of the topology's tunnel endpoint, or null when it has none. */
    private static TunnelStats tunnelStats(Topology t) {
        for (SwitchPort p : t.ports()) {
            if (p.device() instanceof TunnelEndpoint endpoint) {
                return endpoint.stats();
            }
        }
        return null;
    }

    private List<StaticVtepView> staticVteps() {
        Topology t = control.view().topology();
        List<StaticVtepView> out = new ArrayList<>();
        for (PortSpec p : control.config().ports()) {
            if (p.kind() == PortSpec.PortKindSpec.VTEP && Fabric.hostOf(control.ownerOf(p.name())) == null) {
                int id = t.idOf(p.name());
                out.add(new StaticVtepView(p.name(), p.remote(), p.vlan() == null ? "all" : p.vlan().trunks(),
                        id < 0 ? null : TunnelCounters.of(t.port(id))));
            }
        }
        return out;
    }

    private static String vlans(String list) {
        return list == null ? "all" : list;
    }

    /** The VNIs a VLAN list travels as under this agent's mapping; empty for all VLANs or without a tunnel. */
    private List<Integer> vnis(String vlanList) {
        VxlanSpec vxlan = control.config().vxlan();
        if (vxlan == null || vlanList == null || vlanList.isEmpty()) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        for (int vlan : io.tapswitch.core.vlan.VlanSet.parse(vlanList).toArray()) {
            out.add(vxlan.vniMap().getOrDefault(vlan, vxlan.vniBase() + vlan));
        }
        return out;
    }
}
