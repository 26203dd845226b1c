package io.tapswitch.agent.vm;

import java.util.List;
import java.util.Set;

/**
 * The other agents of the fabric as {@link Labs} sees them: the hosts a lab's VMs may name, and how to
 * have one of them start, stop and list its share of a lab. Every call blocks until the host answered
 * or a timeout passed; a host that does not answer fails the call with {@link Unreachable}.
 */
public interface RemoteLabs {
    /** This host's name in the fabric. */
    String self();

    /** The hosts of the fabric other than this one, as their adverts name them now. */
    Set<String> hosts();

    /**
     * Has {@code host} bring up the VMs {@code vms} of a lab.
     *
     * @param yaml    the lab file's text (the host may not have the file)
     * @param file    the lab file's absolute path on this host; relative kernel, initrd and disk paths are
     *                resolved against its directory, on the other host's file system
     * @param origin  this host's name, recorded there as the host that owns the lab
     * @return the VMs it started
     */
    List<Labs.VmView> up(String host, String yaml, String file, List<String> vms, String origin);

    /** Has {@code host} bring its share of lab {@code lab} down. */
    void down(String host, String lab);

    /** The VMs of every lab up on {@code host}. */
    List<Labs.VmView> vms(String host);

    /** A host that did not answer, or answered with an error. */
    final class Unreachable extends RuntimeException {
        private final String host;

        public Unreachable(String host, String message) {
            super("host '" + host + "': " + message);
            this.host = host;
        }

        public String host() {
            return host;
        }
    }
}
