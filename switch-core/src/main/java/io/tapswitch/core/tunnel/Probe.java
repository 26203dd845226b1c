package io.tapswitch.core.tunnel;

import java.nio.ByteBuffer;

/**
 * The tunnel health probe that tapswitch endpoints exchange on {@link VniMap#PROBE_VNI}: its layout
 * after the VXLAN header, big-endian.
 *
 * <pre>
 *   0  magic "TSPR"          4  version (1)        5  type (1 request, 2 reply)
 *   6  flags (bit 0: full, bit 1: checksummed, bit 2: takes partial)      7  reserved
 *   8  sequence number (32 bits)
 *  12  reply port (16 bits: where the requester listens)            14  reserved
 *  16  the requester's send time (System.nanoTime, echoed in the reply)
 *  24  zeros up to the datagram's size (a full-size request fills the underlay MTU)
 * </pre>
 *
 * <p>Why a probe inside VXLAN and not a ping: it travels exactly as tunnel traffic does (same UDP
 * port, same DF bit, same sockets), so "the cluster says B is there but UDP 4789 is blocked" and
 * "small frames pass but full-size ones are dropped" both show. Why the reply port is in the body:
 * a datagram's UDP source port is a flow hash, not the port its sender listens on.
 *
 * <p>The checksummed flag says that every data datagram the sender sends carries a UDP checksum
 * (true of every endpoint that sends through UDP sockets, {@link SenderSockets}): its receiver's
 * kernel verifies that checksum over the whole inner frame, so the receiver need not verify the
 * inner TCP checksums again before it merges segments ({@link io.tapswitch.core.offload.Coalescer}).
 * Endpoints before the flag leave the bit 0 and are verified as before.
 *
 * <p>The takes-partial flag, in a reply, says that the replier trusts the requester's datagrams so
 * (it has seen the checksummed flag from its address) and merges what it receives: it then
 * completes TCP checksums itself, so the requester may send TCP segments whose checksum field
 * holds only the pseudo-header sum and skip summing their payload, the largest cost of sending
 * into the tunnel. A VXLAN receiver that is no tapswitch endpoint never sends it, and gets full
 * checksums.
 */
final class Probe {
    static final int MAGIC = 0x54535052;
    static final int VERSION = 1;
    static final int REQUEST = 1;
    static final int REPLY = 2;
    static final int FLAG_FULL = 1;
    static final int FLAG_CHECKSUMMED = 2;
    static final int FLAG_TAKES_PARTIAL = 4;
    /** Bytes of the body before the padding. */
    static final int LEN = 24;

    private static final int OFF_VERSION = 4;
    private static final int OFF_TYPE = 5;
    private static final int OFF_FLAGS = 6;
    private static final int OFF_SEQ = 8;
    private static final int OFF_REPLY_PORT = 12;
    private static final int OFF_SENT = 16;

    private Probe() {
    }

    /** Writes a probe body at {@code at}; the padding, if any, is the caller's. */
    static void write(ByteBuffer buf, int at, int type, boolean full, int seq, int replyPort, long sentNanos) {
        write(buf, at, type, full, seq, replyPort, sentNanos, false);
    }

    /** {@link #write(ByteBuffer, int, int, boolean, int, int, long)}, with {@link #FLAG_TAKES_PARTIAL} if {@code takesPartial}. */
    static void write(ByteBuffer buf, int at, int type, boolean full, int seq, int replyPort, long sentNanos,
                      boolean takesPartial) {
        buf.putInt(at, MAGIC);
        buf.put(at + OFF_VERSION, (byte) VERSION);
        buf.put(at + OFF_TYPE, (byte) type);
        buf.put(at + OFF_FLAGS, (byte) ((full ? FLAG_FULL : 0) | FLAG_CHECKSUMMED | (takesPartial ? FLAG_TAKES_PARTIAL : 0)));
        buf.put(at + 7, (byte) 0);
        buf.putInt(at + OFF_SEQ, seq);
        buf.putShort(at + OFF_REPLY_PORT, (short) replyPort);
        buf.putShort(at + 14, (short) 0);
        buf.putLong(at + OFF_SENT, sentNanos);
    }

    /** The probe's type ({@link #REQUEST}, {@link #REPLY}), or -1 when {@code length} bytes at {@code at} are no probe. */
    static int type(ByteBuffer buf, int at, int length) {
        if (length < LEN || buf.getInt(at) != MAGIC || buf.get(at + OFF_VERSION) != VERSION) {
            return -1;
        }
        int type = buf.get(at + OFF_TYPE);
        return type == REQUEST || type == REPLY ? type : -1;
    }

    static boolean full(ByteBuffer buf, int at) {
        return (buf.get(at + OFF_FLAGS) & FLAG_FULL) != 0;
    }

    /** Whether the probe's sender puts a UDP checksum on every data datagram. */
    static boolean checksummed(ByteBuffer buf, int at) {
        return (buf.get(at + OFF_FLAGS) & FLAG_CHECKSUMMED) != 0;
    }

    /** Whether the replier completes partial TCP checksums of the requester's segments. */
    static boolean takesPartial(ByteBuffer buf, int at) {
        return (buf.get(at + OFF_FLAGS) & FLAG_TAKES_PARTIAL) != 0;
    }

    static int seq(ByteBuffer buf, int at) {
        return buf.getInt(at + OFF_SEQ);
    }

    static int replyPort(ByteBuffer buf, int at) {
        return buf.getShort(at + OFF_REPLY_PORT) & 0xffff;
    }

    static long sent(ByteBuffer buf, int at) {
        return buf.getLong(at + OFF_SENT);
    }
}
