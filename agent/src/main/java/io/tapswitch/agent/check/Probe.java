package io.tapswitch.agent.check;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/** One kind of check, ready to run against a lab's guests. */
interface Probe {
    /** Every VM the check runs commands in; the runner gives them to one check at a time. */
    Set<String> vms();

    /** Carries the check out; an exception makes the check's status ERROR. */
    Outcome run(GuestShell shell) throws IOException, TimeoutException, InterruptedException;
}
