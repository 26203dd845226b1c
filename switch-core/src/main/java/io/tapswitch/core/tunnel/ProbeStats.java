package io.tapswitch.core.tunnel;

/**
 * What the tunnel health probes to one remote VTEP have shown so far, for the control plane to turn
 * into "up", "down" or "mtu-bad": a peer that answers small probes but not full-size ones passes
 * small frames and drops full ones (an underlay MTU below the configured one, a middlebox);
 * one that answers neither is unreachable over UDP, whatever the cluster says.
 *
 * <p>Times are {@link System#nanoTime()} values of this JVM (0: never), so a reader compares them
 * with its own {@code System.nanoTime()}.
 *
 * @param sent               small requests sent
 * @param fullSent           full-size requests sent (a datagram of the underlay MTU, DF set)
 * @param answered           replies to small requests received
 * @param fullAnswered       replies to full-size requests received
 * @param lastReplyNanos     when the last reply to a small request arrived
 * @param lastFullReplyNanos when the last reply to a full-size request arrived
 * @param lastRttNanos       round-trip time measured by the last reply of either size
 * @param sendErrors         requests the kernel refused to send (EMSGSIZE for a full-size probe
 *                           larger than the local interface's MTU, no route, a full queue)
 * @param lastSendErrno      the errno of the last refused request, 0 if none
 */
public record ProbeStats(long sent, long fullSent, long answered, long fullAnswered, long lastReplyNanos,
                         long lastFullReplyNanos, long lastRttNanos, long sendErrors, int lastSendErrno) {
}
