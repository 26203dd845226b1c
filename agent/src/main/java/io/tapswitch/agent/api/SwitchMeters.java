package io.tapswitch.agent.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.fdb.FdbView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exposes the switch's counters as Micrometer meters, which read {@link PortStats} and the MAC
 * table when scraped: the datapath keeps counting in its own arrays and never calls Micrometer.
 *
 * <p>Ports come and go, so {@link #sync()} runs before each scrape and registers meters for new
 * ports and removes those of ports that are gone; a port re-added under the same name is a new
 * {@link SwitchPort} with fresh counters and gets fresh meters.
 */
final class SwitchMeters {
    private final MeterRegistry registry;
    private final SwitchView sw;
    private final Map<SwitchPort, List<Meter>> ports = new HashMap<>();

    SwitchMeters(MeterRegistry registry, SwitchView sw) {
        this.registry = registry;
        this.sw = sw;
        FdbView fdb = sw.fdb();
        FunctionCounter.builder("tapswitch.fdb.learned", fdb, t -> t.counters().learned()).description("MAC table entries learned").register(registry);
        FunctionCounter.builder("tapswitch.fdb.moved", fdb, t -> t.counters().moved()).description("MAC table entries moved to another port").register(registry);
        FunctionCounter.builder("tapswitch.fdb.expired", fdb, t -> t.counters().expired()).description("MAC table entries aged out").register(registry);
        FunctionCounter.builder("tapswitch.fdb.evicted", fdb, t -> t.counters().evicted()).description("MAC table entries evicted because the table was full").register(registry);
        Gauge.builder("tapswitch.fdb.entries", fdb, FdbView::size).description("MAC table entries now").register(registry);
        Gauge.builder("tapswitch.fdb.capacity", fdb, FdbView::capacity).description("MAC table bound").register(registry);
    }

    synchronized void sync() {
        List<SwitchPort> current = sw.topology().ports();
        ports.entrySet().removeIf(e -> {
            if (current.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
        for (SwitchPort p : current) {
            ports.computeIfAbsent(p, this::register);
        }
    }

    private List<Meter> register(SwitchPort p) {
        Tags tags = Tags.of("port", p.name());
        PortStats s = p.stats();
        List<Meter> meters = new ArrayList<>();
        meters.add(FunctionCounter.builder("tapswitch.port.rx.packets", s, PortStats::rxPackets).description("frames received on the port").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("tapswitch.port.rx.bytes", s, PortStats::rxBytes).description("bytes received on the port").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("tapswitch.port.tx.packets", s, PortStats::txPackets).description("frames sent through the port").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("tapswitch.port.tx.bytes", s, PortStats::txBytes).description("bytes sent through the port").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("tapswitch.port.rx.errors", s, PortStats::rxErrors).description("receive errors of the port").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("tapswitch.port.tx.errors", s, PortStats::txErrors).description("frames the port could not send").tags(tags).register(registry));
        for (Reason r : Reason.values()) {
            meters.add(FunctionCounter.builder("tapswitch.port.decisions", s, st -> st.decisions(r)).description("frames received on the port by forwarding decision")
                    .tags(tags.and("reason", r.name(), "drop", Boolean.toString(r.isDrop()))).register(registry));
        }
        meters.add(Gauge.builder("tapswitch.port.oper.up", p, x -> x.operUp() ? 1 : 0).description("1 when the port device works").tags(tags).register(registry));
        meters.add(Gauge.builder("tapswitch.port.macs", p, x -> sw.fdb().entriesOf(x.id())).description("MAC table entries on the port").tags(tags).register(registry));
        return meters;
    }
}
