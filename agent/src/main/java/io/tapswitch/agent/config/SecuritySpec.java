package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.core.engine.PortSecurity;

/**
 * Port security as written in the configuration file and in API requests: a bound on how many
 * stations one port may have learned, so that a guest spraying source MACs cannot crowd out the
 * others' entries.
 *
 * @param maxMacs   dynamic entries the port may hold, 1 to 1000000 (0 or absent: no limit)
 * @param violation {@code learn-stop} (default: frames from new stations still flow, unlearned)
 *                  or {@code drop} (they are dropped and counted)
 */
public record SecuritySpec(Integer maxMacs, String violation) {
    public static final String LEARN_STOP = "learn-stop";
    public static final String DROP = "drop";

    @JsonCreator
    public SecuritySpec(@JsonProperty("maxMacs") Integer maxMacs, @JsonProperty("violation") String violation) {
        this.maxMacs = maxMacs;
        this.violation = violation;
    }

    /** The engine's port security; call after validation. */
    public PortSecurity toPortSecurity() {
        return new PortSecurity(maxMacs == null ? 0 : maxMacs,
                DROP.equals(violation) ? PortSecurity.Violation.DROP : PortSecurity.Violation.LEARN_STOP);
    }

    /** The spec of the engine's {@code security}, normalized (the violation spelled out), or null for none. */
    public static SecuritySpec of(PortSecurity security) {
        if (!security.limited()) {
            return null;
        }
        return new SecuritySpec(security.maxMacs(),
                security.violation() == PortSecurity.Violation.DROP ? DROP : LEARN_STOP);
    }
}
