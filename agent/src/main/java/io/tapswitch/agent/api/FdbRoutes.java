package io.tapswitch.agent.api;

import io.tapswitch.agent.config.StaticMacSpec;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.Revision;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.fdb.FdbEntry;
import io.tapswitch.core.frame.MacAddress;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Comparator;
import java.util.List;

/**
 * {@code /api/v1/fdb}: the MAC table. Listing and flushing take filters; static entries are
 * configuration (persisted, revisioned), flushes are not.
 */
final class FdbRoutes {
    /**
     * @param ageSeconds seconds since the station was last seen (0 for static entries)
     * @param host       for a station learned through a tunnel, the host (or remote VTEP) it sits behind
     */
    record FdbEntryView(String mac, int vlan, String port, long ageSeconds,
                        @com.fasterxml.jackson.annotation.JsonProperty("static") boolean isStatic,
                        @com.fasterxml.jackson.annotation.JsonInclude(
                                com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String host) {
    }

    record FdbList(List<FdbEntryView> entries) {
    }

    record Flushed(int flushed) {
    }

    record StaticList(List<StaticMacSpec> staticMacs) {
    }

    private final Vertx vertx;
    private final ControlPlane control;

    FdbRoutes(Vertx vertx, ControlPlane control) {
        this.vertx = vertx;
        this.control = control;
    }

    void mount(Router router) {
        router.get("/api/v1/fdb").handler(this::list);
        router.delete("/api/v1/fdb").handler(this::flush);
        router.get("/api/v1/fdb/static").handler(this::listStatic);
        router.post("/api/v1/fdb/static").handler(this::addStatic);
        router.delete("/api/v1/fdb/static/:vlan/:mac").handler(this::removeStatic);
    }

    private void list(RoutingContext ctx) {
        String port = Replies.query(ctx, "port");
        int vlan = Replies.integer("vlan", Replies.query(ctx, "vlan"), 0, 4095, -1);
        String macText = Replies.query(ctx, "mac");
        long mac = macText == null ? -1 : parseMac("mac", macText);
        int portId = port == null ? -1 : portId(port);
        Replies.blocking(vertx, ctx, () -> entries(control, portId, vlan, mac),
                entries -> Replies.json(ctx, 200, new FdbList(entries)));
    }

    /** The MAC table's entries that match (a filter of -1 matches all), sorted by VLAN and MAC. */
    static List<FdbEntryView> entries(ControlPlane control, int portId, int vlan, long mac) {
        Topology t = control.view().topology();
        return control.view().fdb().entries().stream()
                .filter(e -> portId < 0 || e.port() == portId)
                .filter(e -> vlan < 0 || e.vlan() == vlan)
                .filter(e -> mac < 0 || e.mac() == mac)
                .sorted(Comparator.comparingInt(FdbEntry::vlan).thenComparingLong(FdbEntry::mac))
                .map(e -> view(e, t, control))
                .toList();
    }

    private static FdbEntryView view(FdbEntry e, Topology t, ControlPlane control) {
        String port = t.port(e.port()) == null ? "#" + e.port() : t.port(e.port()).name();
        return new FdbEntryView(MacAddress.format(e.mac()), e.vlan(), port, e.isStatic() ? 0 : e.ageMillis() / 1000,
                e.isStatic(), hostBehind(control, port));
    }

    /** The host behind a tunnel port (the peer's id for the fabric's ports, the address for a static VTEP), or null. */
    static String hostBehind(ControlPlane control, String port) {
        io.tapswitch.agent.config.PortSpec spec = control.config().port(port);
        if (spec == null || spec.kind() != io.tapswitch.agent.config.PortSpec.PortKindSpec.VTEP) {
            return null;
        }
        String host = io.tapswitch.agent.fabric.Fabric.hostOf(control.ownerOf(port));
        return host != null ? host : spec.remote();
    }

    private void flush(RoutingContext ctx) {
        String port = Replies.query(ctx, "port");
        int vlan = Replies.integer("vlan", Replies.query(ctx, "vlan"), 0, 4095, -1);
        if (port != null) {
            control.requirePort(port);
        }
        Replies.blocking(vertx, ctx, () -> control.flush(port, vlan), n -> Replies.json(ctx, 200, new Flushed(n)));
    }

    private void listStatic(RoutingContext ctx) {
        Revision now = control.current();
        Replies.revision(ctx, now.number());
        Replies.json(ctx, 200, new StaticList(now.config().staticMacs()));
    }

    private void addStatic(RoutingContext ctx) {
        StaticMacSpec spec = ApiJson.read(ctx.body().buffer(), StaticMacSpec.class);
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.AddStaticMac(spec), ifMatch), added -> {
            Replies.revision(ctx, added.revision());
            ctx.response().putHeader("Location", "/api/v1/fdb/static/" + added.value().vlan() + "/" + added.value().mac());
            Replies.json(ctx, 201, added.value());
        });
    }

    private void removeStatic(RoutingContext ctx) {
        int vlan = Replies.integer("vlan", ctx.pathParam("vlan"), 0, 4094, -1);
        long mac = parseMac("mac", ctx.pathParam("mac"));
        Long ifMatch = Replies.ifMatch(ctx);
        Replies.blocking(vertx, ctx, () -> control.submit(new Change.RemoveStaticMac(vlan, mac), ifMatch),
                removed -> Replies.noContent(ctx, removed.revision()));
    }

    private int portId(String name) {
        control.requirePort(name);
        return control.view().topology().idOf(name);
    }

    static long parseMac(String field, String text) {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field, e.getMessage());
        }
    }
}
