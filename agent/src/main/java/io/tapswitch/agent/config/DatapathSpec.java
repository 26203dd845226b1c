package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.core.engine.SwitchOptions;

/**
 * How the switch moves frames: how many event-loop threads read the ports, and whether a loop that
 * found nothing keeps looking for a while before it sleeps. Read at start only; a change takes
 * effect when the agent restarts.
 *
 * @param threads    event-loop threads, 1 up to the number of processors (default
 *                   {@value SwitchOptions#DEFAULT_THREADS}); the thread count does not grow with ports
 * @param spinMicros microseconds a loop keeps looking before it blocks, 0 to
 *                   {@value SwitchOptions#MAX_SPIN_MICROS} (default {@value SwitchOptions#DEFAULT_SPIN_MICROS}:
 *                   block at once, which suits a machine with few cores shared with the traffic's senders)
 */
public record DatapathSpec(int threads, int spinMicros) {
    public static final DatapathSpec DEFAULT = new DatapathSpec(SwitchOptions.DEFAULT_THREADS, SwitchOptions.DEFAULT_SPIN_MICROS);

    @JsonCreator
    public DatapathSpec(@JsonProperty("threads") Integer threads, @JsonProperty("spinMicros") Integer spinMicros) {
        this(threads == null ? SwitchOptions.DEFAULT_THREADS : threads.intValue(),
                spinMicros == null ? SwitchOptions.DEFAULT_SPIN_MICROS : spinMicros.intValue());
    }
}
