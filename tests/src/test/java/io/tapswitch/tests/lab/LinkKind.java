package io.tapswitch.tests.lab;

/**
 * The kind of netdev a switch hands over for a lab host to use as its network interface.
 *
 * <p>tapswitch's ports are normally TAP devices, whose file descriptor the switch keeps while
 * the netdev end moves into the host. A veth pair is the alternative for switches (such as the
 * Linux bridge used to test the lab itself) that attach to an ordinary netdev instead.
 */
public enum LinkKind {
    TAP,
    VETH
}
