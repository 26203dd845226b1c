package io.tapswitch.tests.lab;

/**
 * The part of a switch under test that a {@link Lab} needs: creating a port and handing over
 * the netdev that a host should use, and removing the port again.
 *
 * <p>The lab only moves netdevs between namespaces; everything behind the returned netdev
 * (a TAP file descriptor in tapswitch, a bridge slave in {@link LinuxBridgePorts}) stays
 * with the implementation. Implementations need not be thread-safe: a lab calls them from
 * one thread.
 */
public interface SwitchPorts {

    /**
     * Creates a TAP port whose file descriptor the switch keeps open.
     *
     * @param name the port's name, at most 11 characters of [a-z0-9-], unique within the lab
     * @return the name of the netdev, in the machine's namespace, that the host should adopt
     * @throws UnsupportedOperationException when this switch cannot attach TAP devices
     */
    String createTapPort(String name);

    /**
     * Creates a port backed by one end of a veth pair.
     *
     * @param name the port's name, with the same rules as for {@link #createTapPort(String)}
     * @return the name of the veth end, in the machine's namespace, that the host should adopt
     * @throws UnsupportedOperationException when this switch cannot attach veth pairs
     */
    default String createVethPort(String name) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not attach veth pairs");
    }

    /**
     * Removes the port and whatever the switch created for it. It must tolerate the handed-over
     * netdev being gone already: the kernel deletes virtual netdevs together with the
     * namespace of a host that was stopped first.
     */
    void removePort(String name);
}
