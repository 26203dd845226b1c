package io.tapswitch.agent.vm;

import java.util.List;

/**
 * One row of {@link VmManager#list()}: what is known about a VM of a lab that was brought up.
 *
 * @param lab   lab name
 * @param vm    VM name
 * @param pid   QEMU process id
 * @param state whether that QEMU process is still running, and if not, whether it was stopped on purpose
 * @param ports the VM's switch ports
 */
public record VmStatus(String lab, String vm, long pid, State state, List<String> ports) {

    /** Liveness of the QEMU process. */
    public enum State {
        /** The recorded process exists and is the QEMU that was started. */
        RUNNING,
        /** The process is gone without anyone asking (the guest powered off, crashed or was killed). */
        EXITED,
        /** Stopped on purpose with {@code vm stop}; its ports stay, and only {@code vm start} boots it again. */
        STOPPED,
        /** Runs on another host of the fabric that did not answer when asked (see {@link RemoteLabs}). */
        UNREACHABLE
    }
}
