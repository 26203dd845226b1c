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
 * @param txDrops   how many frames forwarded to this port it dropped instead of sending, per
 *                  {@link Reason} (such as an offloaded frame on a port without offloads), nonzero
 *                  ones only; they are among the {@code txErrors}
 */
public record PortCounters(String name, long rxPackets, long rxBytes, long txPackets, long txBytes, long rxErrors,
                           long txErrors, long drops, long learnRefused, Map<String, Long> decisions,
                           Map<String, Long> txDrops) {
    public static PortCounters of(String name, PortStats s) {
        Map<String, Long> decisions = new LinkedHashMap<>();
        Map<String, Long> txDrops = new LinkedHashMap<>();
        for (Reason r : Reason.values()) {
            long n = s.decisions(r);
            if (n != 0) {
                decisions.put(r.name(), n);
            }
            long dropped = s.txDrops(r);
            if (dropped != 0) {
                txDrops.put(r.name(), dropped);
            }
        }
        return new PortCounters(name, s.rxPackets(), s.rxBytes(), s.txPackets(), s.txBytes(), s.rxErrors(),
                s.txErrors(), s.drops(), s.learnRefused(), decisions, txDrops);
    }
}
