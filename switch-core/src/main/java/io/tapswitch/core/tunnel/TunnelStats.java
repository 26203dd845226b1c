package io.tapswitch.core.tunnel;

/**
 * What a {@link TunnelEndpoint} has carried, for every remote VTEP together, and how: whether UDP
 * segmentation and GRO do their work. Receive counts cover datagrams read with GRO only.
 *
 * @param datagramsSent       VXLAN datagrams handed to the kernel
 * @param bytesSent           their UDP payload bytes (VXLAN header and inner frame)
 * @param segmentedSends      runs of datagrams handed over in one message for the kernel to cut
 * @param segmentationRefused runs the kernel would not cut, sent datagram by datagram instead
 * @param segmentation        whether UDP segmentation is in use
 * @param datagramsReceived   VXLAN datagrams read (with GRO)
 * @param bytesReceived       their UDP payload bytes
 * @param groReads            reads that returned a run of several datagrams
 * @param mergedFrames        frames made of several TCP segments by the coalescer
 * @param mergedSegments      the segments in them
 * @param gro                 whether the receiving socket reads with UDP GRO
 */
public record TunnelStats(long datagramsSent, long bytesSent, long segmentedSends, long segmentationRefused,
                          boolean segmentation, long datagramsReceived, long bytesReceived, long groReads,
                          long mergedFrames, long mergedSegments, boolean gro) {
}
