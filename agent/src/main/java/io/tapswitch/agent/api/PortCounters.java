package io.tapswitch.agent.api;

import io.tapswitch.core.engine.PortStats;
import io.tapswitch.core.engine.Reason;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A port's counters as the API shows them.
 *
 * @param drops     received frames dropped, all reasons together
 * @param decisions how many received frames ended with each {@link Reason}, nonzero ones only
 */
public record PortCounters(String name, long rxPackets, long rxBytes, long txPackets, long txBytes, long rxErrors,
                           long txErrors, long drops, long learnRefused, Map<String, Long> decisions) {
    public static PortCounters of(String name, PortStats s) {
        Map<String, Long> decisions = new LinkedHashMap<>();
        for (Reason r : Reason.values()) {
            long n = s.decisions(r);
            if (n != 0) {
                decisions.put(r.name(), n);
            }
        }
        return new PortCounters(name, s.rxPackets(), s.rxBytes(), s.txPackets(), s.txBytes(), s.rxErrors(),
                s.txErrors(), s.drops(), s.learnRefused(), decisions);
    }
}
