package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.MemoryPort;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed input on the wire: a seeded generator of runts, truncated and stacked tags, reserved
 * VIDs, jumbo lengths and garbage, fed through the whole decision path of ports in every VLAN mode.
 * No exception may escape, and every frame must end in exactly one counted decision.
 * Jazzer is not used: its artifacts do not resolve from this machine's registry.
 */
class FuzzTest {
    /** Frames per run; {@code -Dtapswitch.fuzz.frames=...} raises it for a long run. */
    private static final long FRAMES = Long.getLong("tapswitch.fuzz.frames", 10_000_000L);

    @Test
    void noFrameEscapesTheCounters() {
        Switch sw = new Switch(SwitchOptions.defaults());
        try {
            VlanConfig[] modes = {
                    VlanConfig.DEFAULT, VlanConfig.access(10), VlanConfig.trunk(VlanSet.parse("10,20")),
                    VlanConfig.nativeUntagged(10, VlanSet.parse("20")), VlanConfig.nativeTagged(10, VlanSet.EMPTY),
                    VlanConfig.dot1qTunnel(100)};
            for (int i = 0; i < modes.length; i++) {
                sw.addPassivePort(MemoryPort.discarding("f" + i), new PortConfig("f" + i, true, modes[i]));
            }
            Random random = new Random(20261123L);
            Frame frame = new Frame(MacTable.MAX_PORTS);
            byte[][] noise = new byte[64][9000];
            for (byte[] block : noise) {
                random.nextBytes(block);
            }
            int[] tpids = {0x8100, 0x88a8, 0x9100, 0x0800, 0x86dd, 0x0806};
            for (long n = 0; n < FRAMES; n++) {
                int length = switch (random.nextInt(8)) {
                    case 0 -> random.nextInt(14);
                    case 1 -> 14 + random.nextInt(6);
                    case 2 -> 9000;
                    default -> 14 + random.nextInt(200);
                };
                frame.reset();
                java.nio.ByteBuffer buf = frame.buffer();
                int at = frame.frame();
                buf.put(at, noise[random.nextInt(noise.length)], 0, length);
                int word = random.nextInt();
                if (length >= 14 && (word & 1) != 0) {
                    buf.putShort(at + 12, (short) tpids[(word >>> 1 & 0xff) % tpids.length]);
                    if (length >= 18 && (word >>> 9 & 3) == 0) {
                        buf.putShort(at + 14, (short) ((word & 0x400) != 0 ? 0x0fff : 0x0000));
                    }
                    if (length >= 18 && (word >>> 11 & 3) == 0) {
                        buf.putShort(at + 16, (short) 0x8100);
                    }
                }
                if (length >= 14 && (word >>> 13 & 3) == 0) {
                    buf.put(at + 6, (byte) (buf.get(at + 6) & 0xfe));
                }
                frame.setLength(length);
                frame.inPort = random.nextInt(modes.length);
                sw.process(frame);
            }
            long decided = 0;
            long received = 0;
            for (SwitchPort p : sw.topology().ports()) {
                received += p.stats().rxPackets();
                for (Reason r : Reason.values()) {
                    decided += p.stats().decisions(r);
                }
            }
            assertThat(received).isEqualTo(FRAMES);
            assertThat(decided).isEqualTo(FRAMES);
            System.out.printf("FuzzTest: %d frames fuzzed, all decided and counted%n", FRAMES);
        } finally {
            sw.close();
        }
    }
}
