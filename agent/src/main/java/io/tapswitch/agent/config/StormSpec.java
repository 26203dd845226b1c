package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.core.engine.StormControl;

/**
 * Storm control as written in the configuration file and in API requests: per-port limits, in
 * frames per second, on what the port may make the switch flood, so that a loop outside the switch
 * cannot drown the other ports. Each limit is 0 to 100000000; 0 or absent means no limit.
 */
public record StormSpec(Integer broadcastPps, Integer multicastPps, Integer unknownUnicastPps) {
    @JsonCreator
    public StormSpec(@JsonProperty("broadcastPps") Integer broadcastPps,
                     @JsonProperty("multicastPps") Integer multicastPps,
                     @JsonProperty("unknownUnicastPps") Integer unknownUnicastPps) {
        this.broadcastPps = broadcastPps;
        this.multicastPps = multicastPps;
        this.unknownUnicastPps = unknownUnicastPps;
    }

    /** The engine's storm control; call after validation. */
    public StormControl toStormControl() {
        return new StormControl(zeroIfAbsent(broadcastPps), zeroIfAbsent(multicastPps), zeroIfAbsent(unknownUnicastPps));
    }

    /** The spec of the engine's {@code storm}, every limit spelled out, or null for none. */
    public static StormSpec of(StormControl storm) {
        return storm.enabled() ? new StormSpec(storm.broadcastPps(), storm.multicastPps(), storm.unknownUnicastPps()) : null;
    }

    private static int zeroIfAbsent(Integer pps) {
        return pps == null ? 0 : pps;
    }
}
