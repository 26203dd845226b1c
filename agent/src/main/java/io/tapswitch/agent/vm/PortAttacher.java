package io.tapswitch.agent.vm;

/**
 * Connects a lab's TAP devices to whatever forwards their frames.
 *
 * <p>The switch implements this by adding an AF_PACKET port bound to the TAP.
 * Keeping it an interface lets the VM tooling be tested with another
 * forwarder (a Linux bridge) and lets labs run with no forwarder at all.
 */
public interface PortAttacher {
    /** Called after TAP {@code ifname} exists and is up, before its guest starts. */
    void attach(String ifname);

    /** Called after the guest using {@code ifname} stopped, before the TAP is deleted. */
    void detach(String ifname);

    /** An attacher that does nothing, for labs whose ports are attached by other means. */
    PortAttacher NONE = new PortAttacher() {
        @Override
        public void attach(String ifname) {
        }

        @Override
        public void detach(String ifname) {
        }
    };
}
