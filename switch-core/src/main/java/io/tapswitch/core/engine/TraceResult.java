package io.tapswitch.core.engine;

import java.util.List;

/**
 * Where a frame would go and why: the outcome of {@link Switch#trace}, a forwarding decision run
 * without learning or sending.
 *
 * <p>The verdict and the egress ports are data, so that callers (the API, tests) read them instead
 * of parsing the steps; the steps are the same decision in words, for people. Egress ports are
 * named from the topology the decision was made on, so a port removed meanwhile cannot make the
 * answer inconsistent.
 *
 * @param verdict the reason the decision ended with
 * @param vlan    the VLAN the frame was classified to (0 when the decision ended before classifying)
 * @param egress  names of the ports the frame would leave through, in the order it would be sent
 * @param steps   the decision, step by step, in words; the last one states the verdict
 */
public record TraceResult(Reason verdict, int vlan, List<String> egress, List<String> steps) {
    public TraceResult {
        egress = List.copyOf(egress);
        steps = List.copyOf(steps);
    }

    /** Whether the frame would be dropped. */
    public boolean isDrop() {
        return verdict.isDrop();
    }
}
