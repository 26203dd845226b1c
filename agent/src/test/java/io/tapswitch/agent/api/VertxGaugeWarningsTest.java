package io.tapswitch.agent.api;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent that serves several connections and registers several event-bus handlers logs nothing
 * about gauges registered twice: Vert.x's re-registrations are its design (see
 * {@link VertxGaugeWarnings}), while the same mistake with one of the agent's own meters still shows.
 *
 * <p>Micrometer warns about the first double registration in a JVM and logs later ones at debug
 * level, so the test listens at debug level: whichever test came first, every re-registration
 * appears here unless the filter drops it.
 */
class VertxGaugeWarningsTest {
    private final Logger meterLog = (Logger) LoggerFactory.getLogger(VertxGaugeWarnings.METER_REGISTRY_LOGGER);
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Level before;

    @BeforeEach
    void listen() {
        before = meterLog.getLevel();
        meterLog.setLevel(Level.DEBUG);
        captured.start();
        meterLog.addAppender(captured);
    }

    @AfterEach
    void stopListening() {
        meterLog.detachAppender(captured);
        meterLog.setLevel(before);
    }

    private List<String> reRegistrations() {
        return captured.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("already registered")).toList();
    }

    @Test
    void connectionsAndHandlersLogNoDoubleRegistration(@TempDir Path dir) throws Exception {
        try (RunningAgent running = RunningAgent.start(dir, RunningAgent.emptyConfig())) {
            for (int i = 0; i < 3; i++) {
                // A client of its own each time: a new connection, which Vert.x counts in its gauge.
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create(running.agent.apiUrl() + "/api/v1/switch")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            }
            for (int i = 0; i < 3; i++) {
                running.agent.vertx().eventBus().localConsumer("tapswitch.test.gauges", m -> { });
            }
        }
        assertThat(reRegistrations()).as("Vert.x's gauges re-registered on purpose").isEmpty();
    }

    @Test
    void theAgentsOwnDoubleRegistrationStillShows() {
        VertxGaugeWarnings.install();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Gauge.builder("tapswitch.test.twice", new AtomicLong(1), AtomicLong::get).register(registry);
        Gauge.builder("tapswitch.test.twice", new AtomicLong(2), AtomicLong::get).register(registry);
        assertThat(reRegistrations()).singleElement().asString().contains("tapswitch.test.twice");
    }
}
