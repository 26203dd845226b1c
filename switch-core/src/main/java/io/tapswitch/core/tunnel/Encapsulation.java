package io.tapswitch.core.tunnel;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.offload.Segmenter;
import io.tapswitch.core.port.Refusal;
import io.tapswitch.core.sys.DatagramMessage;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.vlan.VlanTranslate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns one frame into the VXLAN datagrams that carry it to a remote VTEP, described in a
 * {@code sendmmsg} message array: the scratch of one send, lent by a {@code VtepPort} lane to one
 * thread at a time.
 *
 * <p><b>What happens to the frame.</b> Its outer VLAN tag (none: VLAN 0) chooses the VNI and is left
 * out of the inner frame; a C-tag behind it rides inside (QinQ). A GSO super-frame becomes its
 * MSS-sized segments and a partial-checksum frame gets its checksum, both by the {@link Segmenter},
 * since the raw socket that sends takes neither. Inner frames shorter than 60 bytes are padded, as
 * after any tag pop.
 *
 * <p><b>No copy of the payload.</b> Each datagram is gathered from two or three pieces: the UDP and
 * VXLAN headers and the inner frame's headers, built in this scratch, then the rest of the inner
 * frame straight from the frame's buffer, then zero padding if needed. The frame is only read, so
 * the same buffer can go on to other egress ports unchanged.
 *
 * <p>Sizes: {@link #SLOTS} datagrams per {@code sendmmsg} (a 64 KB frame at MSS 1410 is 47
 * segments; more are sent in further rounds), headers of at most {@link #HEAD_SLOT} bytes each:
 * about 24 KB per lane, allocated once.
 */
final class Encapsulation {
    /** Datagrams one {@code sendmmsg} carries. */
    static final int SLOTS = 64;
    /** Room per datagram for the UDP and VXLAN headers and the inner frame's rewritten headers. */
    static final int HEAD_SLOT = 256;
    private static final int OUTER = Vxlan.UDP_HEADER_LEN + Vxlan.HEADER_LEN;

    private final Segmenter segmenter = new Segmenter();
    private final DatagramMessage messages = new DatagramMessage(SLOTS, 3);
    private final ByteBuffer heads = ByteBuffer.allocateDirect(SLOTS * HEAD_SLOT + Ethernet.MIN_FRAME)
            .order(ByteOrder.BIG_ENDIAN);
    private final long headsAddress = Pointer.nativeValue(Native.getDirectBufferPointer(heads));
    /** Zeros for padding, behind the heads. */
    private final long zeros = headsAddress + (long) SLOTS * HEAD_SLOT;

    private int vni;
    private int sourcePort;
    private int count;

    DatagramMessage messages() {
        return messages;
    }

    /**
     * Reads what {@code frame} needs: its VNI, its segments. Returns how many datagrams it becomes,
     * or the {@link Refusal#code()} of why it cannot go: a VLAN without a VNI, an offload that
     * cannot be done in software, an inner frame (or segment) longer than {@code maxInner}; -EINVAL
     * for a frame shorter than an Ethernet header, which the switch never sends.
     */
    int prepare(Frame frame, VniMap vnis, int maxInner) {
        ByteBuffer buf = frame.buffer();
        int eth = frame.frame();
        int length = frame.length();
        if (length < Ethernet.HEADER_LEN) {
            return -Errno.EINVAL;
        }
        int vlan = 0;
        if (VlanTranslate.isTagType(Ethernet.type(buf, eth)) && length >= Ethernet.HEADER_LEN + Ethernet.TAG_LEN) {
            vlan = Ethernet.tci(buf, eth) & 0xfff;
        }
        vni = vnis.vni(vlan);
        if (vni < 0) {
            return Refusal.VLAN_NOT_MAPPED.code();
        }
        count = segmenter.prepare(buf, frame.start(), eth, length, true, maxInner);
        if (count < 0) {
            return Refusal.OFFLOAD_UNSUPPORTED.code();
        }
        if (segmenter.largest() > maxInner) {
            return Refusal.TOO_BIG_FOR_UNDERLAY.code();
        }
        sourcePort = FlowHash.sourcePort(buf, eth, length);
        return count;
    }

    /**
     * Fills message slots with the datagrams from number {@code first} on, addressed to
     * {@code peer}:{@code port}, and returns how many slots it filled (at most {@link #SLOTS}).
     */
    int fill(Frame frame, int first, int peer, int port) {
        int n = Math.min(SLOTS, count - first);
        for (int j = 0; j < n; j++) {
            int i = first + j;
            int at = j * HEAD_SLOT;
            int head = segmenter.writeHead(i, heads, at + OUTER);
            int tail = segmenter.tailLength(i);
            int pad = Math.max(0, Ethernet.MIN_FRAME - head - tail);
            Vxlan.writeHeaders(heads, at, sourcePort, port, vni, head + tail + pad);
            messages.prepareSend(j, peer, port, pad > 0 ? 3 : 2);
            messages.setPiece(j, 0, headsAddress + at, OUTER + head);
            messages.setPiece(j, 1, frame.address() + segmenter.tailOffset(i), tail);
            if (pad > 0) {
                messages.setPiece(j, 2, zeros, pad);
            }
        }
        return n;
    }
}
