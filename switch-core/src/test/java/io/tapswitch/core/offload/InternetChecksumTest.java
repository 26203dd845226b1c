package io.tapswitch.core.offload;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

// Equivalent mutant: add()'s "i + 16 <= end" as "<" leaves the last 16 bytes to the 8-byte loop, same sum.
class InternetChecksumTest {
    @Test
    void matchesTheRfc1071Example() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7});
        assertThat(InternetChecksum.fold(InternetChecksum.add(b, 0, 8, 0))).isEqualTo(0xddf2);
        assertThat(InternetChecksum.finish(InternetChecksum.add(b, 0, 8, 0))).isEqualTo(0x220d);
    }

    @Test
    void agreesWithAWordByWordSumForEveryLengthAndOffset() {
        Random r = new Random(7);
        byte[] data = new byte[300];
        r.nextBytes(data);
        ByteBuffer b = ByteBuffer.wrap(data);
        for (int from = 0; from < 9; from++) {
            for (int len = 0; len < 280; len++) {
                assertThat(InternetChecksum.fold(InternetChecksum.add(b, from, len, 0)))
                        .as("from %d len %d", from, len).isEqualTo(Packet.fold(Packet.sum(data, from, len, 0)));
            }
        }
    }

    @Test
    void dataWithItsChecksumVerifies() {
        byte[] data = new byte[64];
        new Random(3).nextBytes(data);
        data[10] = 0;
        data[11] = 0;
        ByteBuffer b = ByteBuffer.wrap(data);
        int c = InternetChecksum.finish(InternetChecksum.add(b, 0, 64, 0));
        b.putShort(10, (short) c);
        assertThat(InternetChecksum.verifies(InternetChecksum.add(b, 0, 64, 0))).isTrue();
        b.put(40, (byte) (b.get(40) ^ 1));
        assertThat(InternetChecksum.verifies(InternetChecksum.add(b, 0, 64, 0))).as("one bit flipped").isFalse();
        assertThat(InternetChecksum.add32(0, 0xc6120001)).isEqualTo(0xc612 + 0x0001);
    }
}
