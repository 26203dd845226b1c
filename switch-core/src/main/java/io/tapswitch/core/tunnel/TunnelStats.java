package io.tapswitch.core.tunnel;

/**
 * What a {@link TunnelEndpoint} has carried, for every remote VTEP together: how the frames the
 * switch sent into the tunnel left, to show whether UDP segmentation does its work.
 *
 * @param datagramsSent     VXLAN datagrams handed to the kernel
 * @param bytesSent         their UDP payload bytes (VXLAN header and inner frame)
 * @param segmentedSends    runs of datagrams handed over in one message for the kernel to cut
 * @param segmentationRefused runs the kernel would not cut, sent datagram by datagram instead
 * @param segmentation      whether UDP segmentation is in use
 */
public record TunnelStats(long datagramsSent, long bytesSent, long segmentedSends, long segmentationRefused,
                          boolean segmentation) {
}
