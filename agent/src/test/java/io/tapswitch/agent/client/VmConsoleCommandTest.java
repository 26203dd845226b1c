package io.tapswitch.agent.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VmConsoleCommandTest {
    @Test
    void theEscapeKeyIsCtrlRightBracketAndIsFoundOnlyAmongTheBytesRead() {
        byte[] keys = {'l', 's', '\n', 0x1d, 'x'};
        assertThat(VmConsoleCommand.ESCAPE).isEqualTo((byte) (']' - 64));
        assertThat(VmConsoleCommand.indexOfEscape(keys, keys.length)).isEqualTo(3);
        assertThat(VmConsoleCommand.indexOfEscape(keys, 3)).isEqualTo(-1);
        assertThat(VmConsoleCommand.indexOfEscape(new byte[] {0x1b, 0x1c, 0x1e}, 3)).as("other control keys pass").isEqualTo(-1);
    }
}
