package io.tapswitch.core.tunnel;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.tapswitch.core.frame.Ethernet;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.offload.Segmenter;
import io.tapswitch.core.port.Refusal;
import io.tapswitch.core.sys.GsoMessages;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.Udp;
import io.tapswitch.core.vlan.VlanTranslate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns one frame into the VXLAN datagrams that carry it to a remote VTEP, described as
 * {@code sendmmsg} messages for a UDP socket ({@link GsoMessages}): the scratch of one send, lent by
 * a {@code VtepPort} lane to one thread at a time.
 *
 * <p><b>What happens to the frame.</b> Its outer VLAN tag (none: VLAN 0) chooses the VNI and is left
 * out of the inner frame; a C-tag behind it rides inside (QinQ). A GSO super-frame becomes its
 * MSS-sized segments and a partial-checksum frame gets its checksum, both by the {@link Segmenter}.
 * Inner frames shorter than 60 bytes are padded, as after any tag pop.
 *
 * <p><b>Many datagrams per send.</b> The segments of a GSO frame are all of one size but the last,
 * and so are their datagrams. With UDP segmentation ({@link Udp#UDP_SEGMENT}) they are laid out
 * back to back in one message whose control message tells the kernel where to cut, so a 64 KB frame
 * costs one or two trips through the UDP/IP stack instead of forty-odd. One message carries at most
 * {@link Udp#UDP_MAX_SEGMENTS} datagrams and {@link Udp#MAX_IPV4_PAYLOAD} bytes; a frame with more
 * gets further messages in the same {@code sendmmsg}. Without segmentation each datagram is a
 * message of its own, still one system call for up to {@link #SLOTS}.
 *
 * <p><b>No copy of the payload.</b> Each datagram is gathered from two or three pieces: the VXLAN
 * header and the inner frame's headers, built in this scratch, then the rest of the inner frame
 * straight from the frame's buffer, then zero padding if needed. The UDP and IP headers are the
 * kernel's. The frame is only read, so the same buffer can go on to other egress ports unchanged.
 *
 * <p>Sizes: {@link #SLOTS} datagrams per round (a 64 KB frame at MSS 1410 is 47 segments; more are
 * sent in further rounds), headers of at most {@link #HEAD_SLOT} bytes each: about 24 KB per lane,
 * allocated once.
 */
final class Encapsulation {
    /** Datagrams one round of {@link #fill} describes. */
    static final int SLOTS = 64;
    /** Room per datagram for the VXLAN header and the inner frame's rewritten headers. */
    static final int HEAD_SLOT = 256;

    private final Segmenter segmenter = new Segmenter();
    private final GsoMessages messages = new GsoMessages(SLOTS, SLOTS * 3);
    private final ByteBuffer heads = ByteBuffer.allocateDirect(SLOTS * HEAD_SLOT + Ethernet.MIN_FRAME)
            .order(ByteOrder.BIG_ENDIAN);
    private final long headsAddress = Pointer.nativeValue(Native.getDirectBufferPointer(heads));
    /** Zeros for padding, behind the heads. */
    private final long zeros = headsAddress + (long) SLOTS * HEAD_SLOT;

    private int vni;
    private int sourcePort;
    private int count;
    /** What the last {@link #fill} described: datagrams, their bytes, messages cut by the kernel. */
    private int filledBytes;
    private int segmentedMessages;

    GsoMessages messages() {
        return messages;
    }

    /** The flow hash of the frame last prepared ({@link FlowHash#sourcePort}). */
    int flowPort() {
        return sourcePort;
    }

    /** UDP payload bytes (VXLAN header and inner frame) of the datagrams the last {@link #fill} described. */
    int filledBytes() {
        return filledBytes;
    }

    /** Messages of the last {@link #fill} that the kernel cuts into several datagrams. */
    int segmentedMessages() {
        return segmentedMessages;
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
     * Describes the datagrams from number {@code first} on (at most {@link #SLOTS} of them),
     * addressed to {@code peer}:{@code port}, as {@link #messages()} from message 0, and returns how
     * many datagrams it described. With {@code segment}, runs of equal-sized datagrams share a
     * message cut by the kernel; without, each is a message.
     */
    int fill(Frame frame, int first, int peer, int port, boolean segment) {
        return fill(frame, first, peer, port, segment, false);
    }

    /**
     * {@link #fill(Frame, int, int, int, boolean)}; with {@code partial}, TCP segments the receiver
     * can merge leave with only their pseudo-header sum ({@link Segmenter#partialTcpChecksums}).
     */
    int fill(Frame frame, int first, int peer, int port, boolean segment, boolean partial) {
        segmenter.partialTcpChecksums(partial);
        int n = Math.min(SLOTS, count - first);
        messages.clear();
        filledBytes = 0;
        segmentedMessages = 0;
        boolean cut = segment && count > 1;
        int size = 0;
        int inMessage = 0;
        int limit = 0;
        boolean open = false;
        for (int j = 0; j < n; j++) {
            int i = first + j;
            int at = j * HEAD_SLOT;
            int head = segmenter.writeHead(i, heads, at + Vxlan.HEADER_LEN);
            int tail = segmenter.tailLength(i);
            int pad = Math.max(0, Ethernet.MIN_FRAME - head - tail);
            Vxlan.writeHeader(heads, at, vni);
            int datagram = Vxlan.HEADER_LEN + head + tail + pad;
            filledBytes += datagram;
            if (!cut) {
                messages.begin(peer, port, 0);
            } else if (!open || inMessage == limit || datagram > size) {
                size = datagram;
                limit = Math.min(Udp.UDP_MAX_SEGMENTS, Udp.MAX_IPV4_PAYLOAD / size);
                inMessage = 0;
                messages.begin(peer, port, size);
                segmentedMessages++;
                open = true;
            }
            messages.add(headsAddress + at, Vxlan.HEADER_LEN + head);
            messages.add(frame.address() + segmenter.tailOffset(i), tail);
            if (pad > 0) {
                messages.add(zeros, pad);
            }
            inMessage++;
            if (datagram < size) {
                open = false; // only a run's last datagram may be shorter
            }
        }
        return n;
    }
}
