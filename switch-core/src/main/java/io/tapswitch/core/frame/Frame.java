package io.tapswitch.core.frame;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * One reusable frame slot: a direct buffer holding a virtio-net header followed by an Ethernet
 * frame, plus what the switch learned about it while deciding where it goes.
 *
 * <p>Each forwarding thread owns one for its whole life; ports read into it and write from it by
 * address, so a frame crosses the switch without being copied or allocated. Headroom in front of
 * the header lets the switch push VLAN tags in place by moving 22 bytes instead of the whole frame.
 */
public final class Frame {
    /** Space before the vnet header for in-place tag pushes (two tags). */
    public static final int HEADROOM = 16;
    /** Largest frame: a 64 KB GSO super-frame plus tags. */
    public static final int MAX_FRAME_LEN = 65536 + 64;
    public static final int CAPACITY = HEADROOM + VnetHeader.LEN + MAX_FRAME_LEN + 64;
    /**
     * Bytes behind a {@link #snap} cut that a copy may overwrite: popping a tag off a copy cut below
     * 64 bytes pads it to the 60-byte minimum with zeros, over the bytes that follow the cut.
     */
    private static final int SNAP_GUARD = Ethernet.MIN_FRAME + Ethernet.TAG_LEN;

    private final ByteBuffer buf;
    private final long address;

    /** Offset of the vnet header; the Ethernet frame starts {@link VnetHeader#LEN} bytes later. */
    private int start;
    private int length;

    /** VLAN the frame was classified to on ingress (0: untagged traffic of trunk ports). */
    public int vlan;
    /** Priority code point to keep when re-tagging. */
    public int pcp;
    /** Whether the buffer currently holds the frame's VLAN tag after the source MAC. */
    public boolean tagged;
    /** TPID of the frame's VLAN tag: the one it arrived with, or the one to push. */
    public int tpid;
    /** Ingress port id. */
    public int inPort;
    /**
     * Set by the tunnel port for a frame it decapsulated: who sent it ({@link TunnelSource}), so
     * that the switch makes the port of that remote VTEP its ingress port. 0 for every other frame.
     */
    public long tunnelSource;
    /**
     * Set by a port that read something it refuses to hand on as a frame: the
     * {@code io.tapswitch.core.port.Refusal} code, so that the switch counts it against that port
     * with its reason and forwards nothing. 0 for every frame to be forwarded.
     */
    public int refusal;
    /**
     * Set when a send of this frame was queued to go out with others later (an event loop's
     * batched sends): the buffer must stay as it is until the loop has sent the queue.
     */
    public boolean held;
    /** Output ports chosen by the forwarding decision. */
    public final int[] egress;
    public int egressCount;

    /**
     * What {@link #snap} put aside for {@link #unsnap}: where the vnet header was, the length and
     * the header before the cut, and the bytes behind the cut that padding may overwrite.
     */
    private int snapStart;
    private int snapSavedLength;
    private long snapSavedHeader0;
    private short snapSavedHeader8;
    private final byte[] snapSavedTail = new byte[SNAP_GUARD];
    private int snapTailAt;
    private int snapTailLength;

    public Frame(int maxPorts) {
        this.buf = ByteBuffer.allocateDirect(CAPACITY);
        Pointer p = Native.getDirectBufferPointer(buf);
        this.address = Pointer.nativeValue(p);
        this.egress = new int[maxPorts];
        reset();
    }

    /** Restores the standard layout before a port reads into the slot. */
    public void reset() {
        start = HEADROOM;
        length = 0;
        egressCount = 0;
        vlan = 0;
        pcp = 0;
        tagged = false;
        tpid = Ethernet.ETH_P_8021Q;
        tunnelSource = 0;
        refusal = 0;
        held = false;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** Native address of the buffer's first byte. */
    public long address() {
        return address;
    }

    /** Offset of the vnet header. */
    public int start() {
        return start;
    }

    /** Offset of the Ethernet header. */
    public int frame() {
        return start + VnetHeader.LEN;
    }

    /** Length of the Ethernet frame, without the vnet header. */
    public int length() {
        return length;
    }

    public void setLength(int length) {
        this.length = length;
    }

    /** Room for a read: from the vnet header to the end of the buffer. */
    public int readCapacity() {
        return CAPACITY - start;
    }

    /** Sets the layout after a port read {@code total} bytes, vnet header included, at {@link #start()}. */
    public void received(int total) {
        this.length = total - VnetHeader.LEN;
    }

    /**
     * Moves the vnet header and the MAC addresses {@code delta} bytes towards the front (positive,
     * making room for a tag after the source MAC) or the back (negative, removing the 4 bytes after
     * the source MAC), and adjusts the header's offsets. The payload does not move.
     */
    public void shiftHead(int delta) {
        int from = start;
        int to = start - delta;
        int n = VnetHeader.LEN + Ethernet.TYPE;
        if (delta > 0) {
            for (int i = 0; i < n; i++) {
                buf.put(to + i, buf.get(from + i));
            }
        } else {
            for (int i = n - 1; i >= 0; i--) {
                buf.put(to + i, buf.get(from + i));
            }
        }
        start = to;
        length += delta;
        VnetHeader.shiftOffsets(buf, start, delta);
    }

    /**
     * Shortens the frame in place to its first {@code snaplen} bytes, for a copy that must carry no
     * more (a mirror's snap length), until {@link #unsnap()} puts it back. Returns false and changes
     * nothing when {@code snaplen} is 0 ("the whole frame") or the frame is not longer than that.
     *
     * <p>Why in place: the shortened copy is sent from the very buffer that the rest of the frame
     * path goes on sending the whole frame from, and a copy must cost neither a copy nor an
     * allocation. Why the vnet header is cleared meanwhile: it describes the whole frame (a GSO
     * super-frame to segment, a checksum to complete at some offset), and a device handed the cut
     * frame with it would segment or checksum bytes that are not there, or refuse the frame.
     *
     * <p>Tag changes made while the frame is cut (an RSPAN copy retagged per port) are kept, and
     * {@link #unsnap()} carries them over to the whole frame: its length and its vnet header's
     * offsets move with the head. A cut copy whose tag is popped below the 60-byte minimum is padded
     * with zeros over the bytes behind the cut, so those (at most 64) are saved
     * here and put back.
     */
    public boolean snap(int snaplen) {
        if (snaplen <= 0 || snaplen >= length) {
            return false;
        }
        snapStart = start;
        snapSavedLength = length;
        snapSavedHeader0 = buf.getLong(start);
        snapSavedHeader8 = buf.getShort(start + 8);
        snapTailAt = frame() + snaplen;
        snapTailLength = Math.max(0, Math.min(length, SNAP_GUARD) - snaplen);
        if (snapTailLength > 0) {
            buf.get(snapTailAt, snapSavedTail, 0, snapTailLength);
        }
        VnetHeader.clear(buf, start);
        length = snaplen;
        return true;
    }

    /**
     * Undoes the last {@link #snap} that returned true: the whole frame is back, in the tag state
     * the cut copy was left in, with its vnet header.
     */
    public void unsnap() {
        // Bytes put in front of the payload while cut (a pushed tag), or taken out (a popped one).
        int inserted = snapStart - start;
        length = snapSavedLength + inserted;
        buf.putLong(start, snapSavedHeader0);
        buf.putShort(start + 8, snapSavedHeader8);
        if (inserted != 0) {
            VnetHeader.shiftOffsets(buf, start, inserted);
        }
        if (snapTailLength > 0) {
            buf.put(snapTailAt, snapSavedTail, 0, snapTailLength);
        }
    }

    /** Copies {@code other}'s bytes and decisions into this slot (for tests and for captures). */
    public void copyFrom(Frame other) {
        start = other.start;
        length = other.length;
        for (int i = 0; i < VnetHeader.LEN + length; i++) {
            buf.put(start + i, other.buf.get(other.start + i));
        }
        vlan = other.vlan;
        pcp = other.pcp;
        tagged = other.tagged;
        tpid = other.tpid;
        inPort = other.inPort;
        tunnelSource = other.tunnelSource;
        refusal = other.refusal;
    }

    /** Fills the slot with {@code bytes} as a plain frame (no offload), for fakes and tests. */
    public void load(byte[] bytes) {
        reset();
        VnetHeader.clear(buf, start);
        for (int i = 0; i < bytes.length; i++) {
            buf.put(frame() + i, bytes[i]);
        }
        length = bytes.length;
    }

    /** The Ethernet frame's bytes, for fakes and tests. */
    public byte[] toBytes() {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = buf.get(frame() + i);
        }
        return out;
    }
}
