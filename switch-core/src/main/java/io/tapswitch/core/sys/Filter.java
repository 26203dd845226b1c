package io.tapswitch.core.sys;

import com.sun.jna.Memory;

/**
 * {@code linux/filter.h}: classic BPF instruction encoding, the ancillary-data loads and the layout
 * of {@code struct sock_fprog}, kernel names kept.
 *
 * <p>Programs are short and built on the control path, so {@link #program(long...)} returns JNA
 * memory holding both the {@code sock_fprog} and its instructions; it must stay reachable until
 * {@code setsockopt(SO_ATTACH_FILTER)} has returned, after which the kernel holds its own copy.
 */
public final class Filter {
    public static final int BPF_LD = 0x00;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_RET = 0x06;
    public static final int BPF_H = 0x08;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_K = 0x00;

    /** Loads at negative offsets from here read skb metadata instead of packet bytes. */
    public static final int SKF_AD_OFF = -0x1000;
    /** The packet type ({@code PACKET_HOST}, ... {@code PACKET_OUTGOING}) of the frame. */
    public static final int SKF_AD_PKTTYPE = 4;

    public static final int SIZEOF_SOCK_FILTER = 8;
    public static final int SIZEOF_SOCK_FPROG = 16;
    /** Offset of the instruction pointer in {@code struct sock_fprog}; {@code len} is at 0. */
    public static final int FPROG_FILTER = 8;

    private Filter() {
    }

    /**
     * One {@code struct sock_filter} packed in a long the way {@link #program(long...)} expects:
     * code in bits 48–63, jt in 40–47, jf in 32–39, k in 0–31.
     */
    public static long insn(int code, int jt, int jf, int k) {
        return ((long) (code & 0xffff) << 48) | ((long) (jt & 0xff) << 40) | ((long) (jf & 0xff) << 32)
                | (k & 0xffffffffL);
    }

    /** A {@code struct sock_fprog} followed by its instructions, ready for SO_ATTACH_FILTER. */
    public static Memory program(long... insns) {
        if (insns.length == 0 || insns.length > 4096) {
            throw new IllegalArgumentException("a classic BPF program has 1 to 4096 instructions");
        }
        Memory m = new Memory(SIZEOF_SOCK_FPROG + (long) SIZEOF_SOCK_FILTER * insns.length);
        m.clear();
        m.setShort(0, (short) insns.length);
        m.setLong(FPROG_FILTER, com.sun.jna.Pointer.nativeValue(m) + SIZEOF_SOCK_FPROG);
        for (int i = 0; i < insns.length; i++) {
            long at = SIZEOF_SOCK_FPROG + (long) SIZEOF_SOCK_FILTER * i;
            long insn = insns[i];
            m.setShort(at, (short) (insn >>> 48));
            m.setByte(at + 2, (byte) (insn >>> 40));
            m.setByte(at + 3, (byte) (insn >>> 32));
            m.setInt(at + 4, (int) insn);
        }
        return m;
    }
}
