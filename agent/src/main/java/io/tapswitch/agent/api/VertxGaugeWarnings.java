package io.tapswitch.agent.api;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps Micrometer from warning, at every agent start, about a double registration that Vert.x
 * makes on purpose.
 *
 * <p>Vert.x's Micrometer metrics count open connections and event-bus handlers in gauges that it
 * registers again for every new connection and every new handler, and it relies on the registry
 * handing back the gauge registered first (its {@code LongGauges} then finds the same counter).
 * Since Micrometer 1.13.9 the registry logs {@code This Gauge has been already registered
 * (vertx.http.server.active.connections)} the first time that happens, and in a cluster the same
 * for {@code vertx.eventbus.handlers}, although nothing is lost: both registrations mean the same
 * gauge. The pattern is Vert.x's and cannot be changed from here (vertx-micrometer-metrics issue
 * 259, Micrometer issue 6931), so this filter drops exactly that warning for meters whose name
 * starts with {@code vertx.}; the same warning about one of the agent's own {@code tapswitch.}
 * meters, which would be a real mistake, still gets through.
 */
public final class VertxGaugeWarnings extends TurboFilter {
    /** The logger Micrometer reports double registrations on. */
    static final String METER_REGISTRY_LOGGER = "io.micrometer.core.instrument.MeterRegistry";

    private VertxGaugeWarnings() {
    }

    /** Adds the filter to Logback, once per logging context; does nothing under another SLF4J binding. */
    public static synchronized void install() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return;
        }
        if (context.getTurboFilterList().stream().anyMatch(f -> f instanceof VertxGaugeWarnings)) {
            return;
        }
        VertxGaugeWarnings filter = new VertxGaugeWarnings();
        filter.setName("vertx-gauge-re-registration");
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format != null && logger != null && METER_REGISTRY_LOGGER.equals(logger.getName())
                && format.contains("has been already registered (MeterId{name='vertx.")) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
