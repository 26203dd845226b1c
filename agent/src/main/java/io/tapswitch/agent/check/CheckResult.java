package io.tapswitch.agent.check;

/**
 * The outcome of one lab check, as the API streams it and {@code tapswitch vm test} prints it.
 *
 * @param lab            the lab the check belongs to
 * @param name           the check's name in the lab file
 * @param kind           ping, tcp, isolation, mirror or exec
 * @param status         whether the lab showed what the check states
 * @param durationMillis wall-clock time the check took
 * @param evidence       what was observed, e.g. {@code 3/3 received, rtt avg 1.2 ms}; for ERROR, why
 *                       the check could not be carried out
 * @param vms            the VMs the check ran in (the console colours them by the result)
 */
public record CheckResult(String lab, String name, String kind, Status status, long durationMillis, String evidence,
                          java.util.List<String> vms) {
    /** PASS: shown; FAIL: the lab did the opposite; ERROR: the check could not be carried out. */
    public enum Status { PASS, FAIL, ERROR }

    public CheckResult {
        vms = vms == null ? java.util.List.of() : java.util.List.copyOf(vms);
    }
}
