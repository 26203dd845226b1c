package io.tapswitch.core.port;

import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.sys.IfPacket;

import java.nio.ByteBuffer;

/**
 * Puts back the 802.1Q tag that the kernel took out of a received frame.
 *
 * <p>Interfaces with VLAN receive offload (and the software path that imitates it) move a frame's
 * outer tag into packet metadata before packet sockets see it, so an AF_PACKET reader gets the frame
 * untagged and the tag only in {@code tpacket_auxdata}. A switch that forwarded those frames as they
 * were read would silently move every tagged frame to the untagged VLAN. The tag is restored where
 * it was, after the source MAC; the frame's headroom makes that a 22-byte move, and
 * {@link Frame#shiftHead(int)} keeps the virtio-net header's offsets pointing at the same bytes.
 */
final class StrippedTag {
    private StrippedTag() {
    }

    /**
     * Whether the auxiliary data describes a stripped tag. Kernels before {@code TP_STATUS_VLAN_VALID}
     * existed marked a tag only by a nonzero TCI, which is why a nonzero TCI counts too.
     */
    static boolean present(int status, int tci) {
        return (status & IfPacket.TP_STATUS_VLAN_VALID) != 0 || tci != 0;
    }

    /** The tag's TPID: the kernel's when it reports one, otherwise 0x8100 as older kernels meant. */
    static int tpid(int status, int tpid) {
        return (status & IfPacket.TP_STATUS_VLAN_TPID_VALID) != 0 && tpid != 0 ? tpid : Ethernet.ETH_P_8021Q;
    }

    /**
     * Inserts {@code tpid}/{@code tci} after the source MAC of the frame in {@code frame}, which
     * must still have its headroom (a frame just read after {@link Frame#reset()}) and hold at
     * least the two MAC addresses. Returns false, changing nothing, when either does not hold.
     */
    static boolean restore(Frame frame, int tpid, int tci) {
        if (frame.start() < Ethernet.TAG_LEN || frame.length() < Ethernet.TYPE) {
            return false;
        }
        frame.shiftHead(Ethernet.TAG_LEN);
        ByteBuffer buf = frame.buffer();
        buf.putShort(frame.frame() + Ethernet.TYPE, (short) tpid);
        buf.putShort(frame.frame() + Ethernet.TCI, (short) tci);
        return true;
    }
}
