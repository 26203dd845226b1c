package io.tapswitch.agent.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.agent.config.FieldError;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.NotFoundException;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.MacAddress;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/v1/trace}: where a frame would go and why. The frame is built from the request,
 * decided by the same code as real traffic, and never learned from or sent.
 *
 * <p>One frame slot is reused under a lock: a slot is a 64 KB direct buffer, too much to allocate
 * per request, and traces are rare enough that serializing them costs nothing.
 */
final class TraceRoutes {
    /**
     * @param vlan      VLAN ID of an 802.1Q tag to put on the frame; absent for an untagged frame
     * @param pcp       priority of that tag (default 0)
     * @param ethertype the frame's ethertype (default 0x0800, IPv4)
     */
    record TraceRequest(String inPort, String src, String dst, Integer vlan, Integer pcp, Integer ethertype) {
        @JsonCreator
        TraceRequest(@JsonProperty("inPort") String inPort, @JsonProperty("src") String src,
                     @JsonProperty("dst") String dst, @JsonProperty("vlan") Integer vlan,
                     @JsonProperty("pcp") Integer pcp, @JsonProperty("ethertype") Integer ethertype) {
            this.inPort = inPort;
            this.src = src;
            this.dst = dst;
            this.vlan = vlan;
            this.pcp = pcp;
            this.ethertype = ethertype;
        }
    }

    /**
     * The API's form of a {@link io.tapswitch.core.engine.TraceResult}.
     *
     * @param verdict     the decision's {@link Reason}
     * @param drop        whether the frame would be dropped
     * @param description the reason in words
     * @param vlan        the VLAN the frame was classified to
     * @param egress      ports the frame would leave through
     * @param steps       the decision in words, step by step
     */
    record TraceResult(String verdict, boolean drop, String description, int vlan, List<String> egress, List<String> steps) {
        static TraceResult of(io.tapswitch.core.engine.TraceResult r) {
            Reason verdict = r.verdict();
            return new TraceResult(verdict.name(), verdict.isDrop(), verdict.description(), r.vlan(), r.egress(),
                    r.steps());
        }
    }

    private final Vertx vertx;
    private final ControlPlane control;
    private final Frame frame = new Frame(MacTable.MAX_PORTS);

    TraceRoutes(Vertx vertx, ControlPlane control) {
        this.vertx = vertx;
        this.control = control;
    }

    void mount(Router router) {
        router.post("/api/v1/trace").handler(this::trace);
    }

    private void trace(RoutingContext ctx) {
        TraceRequest req = ApiJson.read(ctx.body().buffer(), TraceRequest.class);
        List<FieldError> errors = new ArrayList<>();
        long src = mac(req.src(), "src", errors);
        long dst = mac(req.dst(), "dst", errors);
        if (req.inPort() == null) {
            errors.add(new FieldError("inPort", "is required"));
        }
        int vlan = req.vlan() == null ? -1 : req.vlan();
        if (req.vlan() != null && (vlan < 0 || vlan > 4095)) {
            errors.add(new FieldError("vlan", "must be 0 to 4095, was " + vlan));
        }
        int pcp = req.pcp() == null ? 0 : req.pcp();
        if (pcp < 0 || pcp > 7) {
            errors.add(new FieldError("pcp", "must be 0 to 7, was " + pcp));
        } else if (req.pcp() != null && req.vlan() == null) {
            errors.add(new FieldError("pcp", "a priority needs a vlan tag"));
        }
        int type = req.ethertype() == null ? Ethernet.ETH_P_IPV4 : req.ethertype();
        if (type < 0x600 || type > 0xffff) {
            errors.add(new FieldError("ethertype", "must be 1536 (0x600) to 65535 (0xffff), was " + type));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        control.requirePort(req.inPort());
        byte[] bytes = ProbeFrame.build(dst, src, vlan, pcp, type);
        Replies.blocking(vertx, ctx, () -> run(req.inPort(), bytes), result -> Replies.json(ctx, 200, result));
    }

    private synchronized TraceResult run(String inPort, byte[] bytes) {
        SwitchView sw = control.view();
        int in = sw.topology().idOf(inPort);
        if (in < 0) {
            throw new NotFoundException("no port named '" + inPort + "'");
        }
        frame.load(bytes);
        frame.inPort = in;
        return TraceResult.of(sw.trace(frame));
    }

    private static long mac(String text, String field, List<FieldError> errors) {
        if (text == null) {
            errors.add(new FieldError(field, "is required"));
            return 0;
        }
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field, e.getMessage()));
            return 0;
        }
    }
}
