package io.tapswitch.agent.check;

import io.tapswitch.agent.vm.GuestConsole;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Runs a shell command in a lab guest. The checks only ever talk to guests through this, so the
 * runner's scheduling can be tested with a fake, and the real one ({@link ConsoleShells}) can keep
 * one serial console connection per VM for a whole test run.
 *
 * <p>Callers never use one VM from two threads at once: {@link CheckRunner} hands a VM to one
 * check at a time, because a guest's serial console serves one client and runs one command at a
 * time anyway.
 */
public interface GuestShell {
    /**
     * Runs {@code command} with {@code sh -c} in {@code vm} and waits for it.
     *
     * @throws TimeoutException when the guest does not report the command finished within {@code timeout}
     */
    GuestConsole.Result exec(String vm, String command, Duration timeout) throws IOException, TimeoutException;
}
