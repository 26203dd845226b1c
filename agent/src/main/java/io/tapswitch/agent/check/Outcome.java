package io.tapswitch.agent.check;

/** What one check observed: its verdict and the evidence for it, before the runner adds name and time. */
record Outcome(CheckResult.Status status, String evidence) {
    static Outcome pass(String evidence) {
        return new Outcome(CheckResult.Status.PASS, evidence);
    }

    static Outcome fail(String evidence) {
        return new Outcome(CheckResult.Status.FAIL, evidence);
    }

    static Outcome error(String evidence) {
        return new Outcome(CheckResult.Status.ERROR, evidence);
    }

    static Outcome of(boolean passed, String evidence) {
        return passed ? pass(evidence) : fail(evidence);
    }
}
