package io.tapswitch.core.engine;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.offload.ScratchLanes;
import io.tapswitch.core.offload.Segmenter;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.Refusal;

/**
 * Sends an offloaded frame (a GSO super-frame, a frame with a partial checksum) through a port that
 * takes only plain frames: a TAP opened without a vnet header, a packet socket the kernel refused
 * {@code PACKET_VNET_HDR}. Such a port would hand the kernel a 64 KB frame or a wrong checksum as
 * if it were ready for the wire; instead each segment (or the completed frame) is built in a scratch
 * frame by the {@link Segmenter} and sent as a plain frame, which is what TSO hardware or the
 * kernel's software GSO would have put on the wire.
 *
 * <p>Any forwarding thread may send this way, so the scratch (a 64 KB frame and a segmenter) is
 * kept in {@link #LANES} lanes claimed by compare-and-set ({@link ScratchLanes}), made on first
 * use: a switch whose ports all take offloads never makes one. Nothing is allocated per frame.
 */
final class SoftwareOffload {
    static final int LANES = 4;

    private static final class Lane {
        final Segmenter segmenter = new Segmenter();
        final Frame frame = new Frame(0);
    }

    private final ScratchLanes<Lane> lanes = new ScratchLanes<>(LANES, Lane::new);

    /**
     * Sends {@code frame}'s wire frames through {@code device}, one by one; returns 0 when all were
     * sent, the first failure's negated errno (the rest are not sent), or
     * {@link Refusal#OFFLOAD_UNSUPPORTED}'s code when the frame cannot be segmented (UDP
     * fragmentation offload, IPv6 extension headers, headers it cannot parse).
     */
    int send(Port device, Frame frame) {
        int lane = lanes.claim();
        try {
            Lane l = lanes.scratch(lane);
            int count = l.segmenter.prepare(frame.buffer(), frame.start(), frame.frame(), frame.length(), false);
            if (count < 0) {
                return Refusal.OFFLOAD_UNSUPPORTED.code();
            }
            Frame out = l.frame;
            for (int i = 0; i < count; i++) {
                out.reset();
                VnetHeader.clear(out.buffer(), out.start());
                int length = l.segmenter.write(i, out.buffer(), out.frame());
                for (; length < Ethernet.MIN_FRAME; length++) {
                    out.buffer().put(out.frame() + length, (byte) 0);
                }
                out.setLength(length);
                int result = device.send(out);
                if (result != 0) {
                    return result;
                }
            }
            return 0;
        } finally {
            lanes.release(lane);
        }
    }
}
