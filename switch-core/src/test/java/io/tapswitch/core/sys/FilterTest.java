package io.tapswitch.core.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterTest {

    @Test
    void encodesInstructionsAsStructSockFilter() {
        Memory m = Filter.program(
                Filter.insn(Filter.BPF_LD | Filter.BPF_H | Filter.BPF_ABS, 0, 0, Filter.SKF_AD_OFF + Filter.SKF_AD_PKTTYPE),
                Filter.insn(Filter.BPF_JMP | Filter.BPF_JEQ | Filter.BPF_K, 0, 1, 4),
                Filter.insn(Filter.BPF_RET | Filter.BPF_K, 0, 0, -1));

        assertThat(m.getShort(0)).isEqualTo((short) 3);
        assertThat(m.getLong(Filter.FPROG_FILTER)).isEqualTo(Pointer.nativeValue(m) + Filter.SIZEOF_SOCK_FPROG);
        int first = Filter.SIZEOF_SOCK_FPROG;
        assertThat(m.getShort(first)).as("ldh [-4092], as tcpdump -d prints it").isEqualTo((short) 0x28);
        assertThat(m.getInt(first + 4)).isEqualTo(-4092);
        int second = first + Filter.SIZEOF_SOCK_FILTER;
        assertThat(m.getShort(second)).isEqualTo((short) 0x15);
        assertThat(m.getByte(second + 2)).isEqualTo((byte) 0);
        assertThat(m.getByte(second + 3)).isEqualTo((byte) 1);
        assertThat(m.getInt(second + 4)).isEqualTo(4);
        int third = second + Filter.SIZEOF_SOCK_FILTER;
        assertThat(m.getShort(third)).isEqualTo((short) 0x06);
        assertThat(m.getInt(third + 4)).isEqualTo(-1);
    }

    @Test
    void refusesEmptyPrograms() {
        assertThatThrownBy(Filter::program).isInstanceOf(IllegalArgumentException.class);
    }
}
