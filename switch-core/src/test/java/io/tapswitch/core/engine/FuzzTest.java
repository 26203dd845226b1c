package io.tapswitch.core.engine;

import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.port.NullPort;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanMode;
import io.tapswitch.core.vlan.VlanSet;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed input on the wire: a seeded generator of runts, truncated and stacked tags, reserved
 * VIDs, jumbo lengths and garbage, fed through the whole decision path of ports in every VLAN mode.
 * No exception may escape, every frame must end in exactly one counted decision, and every frame
 * the switch sends is checked against an oracle written from the VLAN rules, not from the switch's
 * code: a valid Ethernet header (a unicast source, no bridge-reserved destination), never out of
 * its ingress port nor to a port outside its VLAN, at most one copy per port and none for a drop,
 * the tag that the egress port's mode demands (VID, PCP and TPID), and the ingress frame's bytes
 * otherwise, its length changed by at most the tag and the padding a popped tag needs. One port's
 * traffic, both directions, is mirrored to a SPAN port: every copy there is that frame as it
 * arrived or as it left that port, exactly once. Jazzer is not used: its artifacts do not resolve
 * from this machine's registry.
 */
class FuzzTest {
    /** Frames per run; {@code -Dtapswitch.fuzz.frames=...} raises it for a long run. */
    private static final long FRAMES = Long.getLong("tapswitch.fuzz.frames", 10_000_000L);
    private static final int MIN_FRAME = 60;
    /** The mirror takes what f2 receives, and what f2 and f3 send: a frame flooded to both is still copied once. */
    private static final int MIRRORED = 2;
    private static final int MIRRORED_EGRESS = 3;
    private static final Set<Integer> TAG_TYPES = Set.of(0x8100, 0x88a8, 0x9100);

    private static final VlanConfig[] MODES = {
            VlanConfig.DEFAULT, VlanConfig.access(10), VlanConfig.trunk(VlanSet.parse("10,20")),
            VlanConfig.nativeUntagged(10, VlanSet.parse("20")), VlanConfig.nativeTagged(10, VlanSet.EMPTY),
            VlanConfig.dot1qTunnel(100)};

    /** What the oracle expects of the frame in flight, worked out from its bytes before the switch sees it. */
    private final byte[] ingress = new byte[9000];
    private int ingressLength;
    private int inPort;
    private long serial;
    /** The frame without the tag its ingress port classifies by: what an untagged egress carries. */
    private final byte[] untagged = new byte[9000];
    private int untaggedLength;
    /** Whether the ingress port classifies by a tag the frame carries, which an untagged egress pops. */
    private boolean ingressTagged;
    private int vlan;
    private int pcp;
    private int tpid;

    @Test
    void everyFrameIsDecidedAndEveryFrameSentObeysTheRules() {
        Switch sw = new Switch(SwitchOptions.defaults());
        try {
            CheckingPort[] ports = new CheckingPort[MODES.length];
            for (int i = 0; i < MODES.length; i++) {
                ports[i] = new CheckingPort("f" + i, MODES[i]);
                ports[i].id = sw.addPassivePort(ports[i], new PortConfig("f" + i, true, MODES[i])).id();
            }
            CheckingPort monitor = new CheckingPort("mon", VlanConfig.DEFAULT);
            monitor.id = sw.addPassivePort(monitor, new PortConfig("mon", true, VlanConfig.DEFAULT)).id();
            monitor.span = true;
            sw.addMirror(new MirrorConfig("span", Set.of("f" + MIRRORED), Set.of("f" + MIRRORED, "f" + MIRRORED_EGRESS),
                    null, false, "mon", 0, 0));

            Random random = new Random(20261123L);
            Frame frame = new Frame(MacTable.MAX_PORTS);
            byte[][] noise = new byte[64][9000];
            for (byte[] block : noise) {
                random.nextBytes(block);
            }
            int[] tpids = {0x8100, 0x88a8, 0x9100, 0x0800, 0x86dd, 0x0806};
            long forwarded = 0;
            long mirrored = 0;
            for (long n = 0; n < FRAMES; n++) {
                int length = switch (random.nextInt(8)) {
                    case 0 -> random.nextInt(14);
                    case 1 -> 14 + random.nextInt(6);
                    case 2 -> 9000;
                    default -> 14 + random.nextInt(200);
                };
                frame.reset();
                ByteBuffer buf = frame.buffer();
                // A plain frame's vnet header, as a TAP read writes it: reset() leaves the previous
                // frame's bytes there, and a stray GSO type would skip the padding of a popped runt.
                for (int i = 0; i < VnetHeader.LEN; i++) {
                    buf.put(frame.start() + i, (byte) 0);
                }
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
                int in = random.nextInt(MODES.length);
                frame.inPort = ports[in].id;
                serial = n;
                expect(ports[in], buf, at, length);
                for (CheckingPort p : ports) {
                    p.copies = 0;
                }
                monitor.copies = 0;

                Reason reason = sw.process(frame);

                int copies = 0;
                for (CheckingPort p : ports) {
                    copies += p.copies;
                }
                if (reason.isDrop()) {
                    check(copies == 0 && monitor.copies == 0, "a dropped frame (" + reason + ") was sent");
                    continue;
                }
                forwarded++;
                check(copies <= MODES.length - 1, copies + " copies for " + (MODES.length - 1) + " other ports");
                check(reason != Reason.FORWARD_UNICAST || copies == 1, "a unicast forward sent " + copies + " copies");
                CheckingPort watched = ports[MIRRORED];
                CheckingPort alsoWatched = ports[MIRRORED_EGRESS];
                boolean selected = in == MIRRORED || watched.copies == 1 || alsoWatched.copies == 1;
                check(monitor.copies == (selected ? 1 : 0), "the SPAN port got " + monitor.copies + " copies");
                if (monitor.copies == 1) {
                    mirrored++;
                    if (in == MIRRORED) {
                        check(Arrays.equals(monitor.last, 0, monitor.lastLength, ingress, 0, ingressLength),
                                "the SPAN copy differs from the frame as it arrived: " + hex(monitor.last, monitor.lastLength));
                    } else {
                        check(watched.copies == 1 && Arrays.equals(monitor.last, 0, monitor.lastLength, watched.last, 0, watched.lastLength)
                                        || alsoWatched.copies == 1 && Arrays.equals(monitor.last, 0, monitor.lastLength,
                                                alsoWatched.last, 0, alsoWatched.lastLength),
                                "the SPAN copy differs from the frame as it left f" + MIRRORED + " or f" + MIRRORED_EGRESS
                                        + ": " + hex(monitor.last, monitor.lastLength));
                    }
                }
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
            // The oracle must have had something to judge, or it proves nothing.
            assertThat(forwarded).as("frames forwarded").isGreaterThan(FRAMES / 20);
            assertThat(mirrored).as("frames mirrored").isGreaterThan(FRAMES / 100);
            System.out.printf("FuzzTest: %d frames fuzzed, all decided and counted; %d forwarded and %d mirrored,"
                    + " every copy checked%n", FRAMES, forwarded, mirrored);
        } finally {
            sw.close();
        }
    }

    /** Works out, from the VLAN rules, the VLAN, PCP, TPID and untagged form of the frame about to enter. */
    private void expect(CheckingPort port, ByteBuffer buf, int at, int length) {
        buf.get(at, ingress, 0, length);
        ingressLength = length;
        inPort = port.id;
        VlanConfig mode = port.mode;
        int type = length >= 14 ? u16(ingress, 12) : 0;
        boolean tagged = TAG_TYPES.contains(type) && length >= 18;
        int tci = tagged ? u16(ingress, 14) : 0;
        if (mode.mode() == VlanMode.DOT1Q_TUNNEL) {
            vlan = mode.tag();
            pcp = tci >>> 13;
            tpid = mode.tpid();
            System.arraycopy(ingress, 0, untagged, 0, length);
            untaggedLength = length;
            ingressTagged = false;
            return;
        }
        int vid = tci & 0xfff;
        pcp = tci >>> 13;
        tpid = tagged ? type : 0x8100;
        vlan = switch (mode.mode()) {
            case ACCESS -> mode.tag();
            case TRUNK -> vid;
            case NATIVE_UNTAGGED, NATIVE_TAGGED -> vid == 0 ? mode.tag() : vid;
            case DOT1Q_TUNNEL -> throw new AssertionError("handled above");
        };
        ingressTagged = tagged;
        if (tagged) {
            System.arraycopy(ingress, 0, untagged, 0, 12);
            System.arraycopy(ingress, 16, untagged, 12, length - 16);
            untaggedLength = length - 4;
        } else {
            System.arraycopy(ingress, 0, untagged, 0, length);
            untaggedLength = length;
        }
    }

    /** How a frame of {@code vid} leaves a port in {@code mode}, from the VLAN rules: -1 not at all, 0 untagged, 1 tagged. */
    private static int egress(VlanConfig mode, int vid) {
        return switch (mode.mode()) {
            case ACCESS, DOT1Q_TUNNEL -> vid == mode.tag() ? 0 : -1;
            case TRUNK -> vid == 0 ? 0 : mode.trunks().allows(vid) ? 1 : -1;
            case NATIVE_UNTAGGED -> vid == mode.tag() ? 0 : vid != 0 && mode.trunks().allows(vid) ? 1 : -1;
            case NATIVE_TAGGED -> vid == mode.tag() || vid != 0 && mode.trunks().allows(vid) ? 1 : -1;
        };
    }

    /** Judges a frame leaving port {@code out} against what {@link #expect} worked out. */
    private void judge(CheckingPort out, byte[] b, int length) {
        check(out.id != inPort, "sent out of its ingress port " + out.name());
        check(++out.copies == 1, out.copies + " copies to " + out.name());
        check(length >= 14 && length <= Frame.MAX_FRAME_LEN, "length " + length + " out of bounds");
        check((b[6] & 1) == 0 && !allZero(b, 6, 12), "source MAC not a station's");
        check(!(u16(b, 0) == 0x0180 && u16(b, 2) == 0xc200 && b[4] == 0 && (b[5] & 0xf0) == 0),
                "a bridge-reserved destination forwarded");
        int action = egress(out.mode, vlan);
        check(action >= 0, "VLAN " + vlan + " sent to " + out.name() + ", a port outside it");
        int body = 0;
        if (action == 1) {
            check(length >= 18 && u16(b, 12) == tpid, "TPID on " + out.name() + " not " + Integer.toHexString(tpid));
            check(u16(b, 14) == (pcp << 13 | vlan), "TCI on " + out.name() + " not PCP " + pcp + " VID " + vlan);
            check(Arrays.equals(b, 0, 12, untagged, 0, 12), "addresses changed on the way to " + out.name());
            body = 4;
        }
        // The frame's bytes follow. A tag popped from a short frame leaves it padded to 60 with zeros:
        // always where the frame arrived tagged and leaves untagged, and maybe where an earlier
        // port of the same flood had a tag pushed that this one pops again.
        int rest = length - body;
        if (action == 0 && ingressTagged) {
            check(rest == Math.max(untaggedLength, MIN_FRAME),
                    "length " + length + " on " + out.name() + " for " + untaggedLength + " bytes untagged, tag popped");
        } else {
            check(rest == untaggedLength || untaggedLength < MIN_FRAME && rest == MIN_FRAME,
                    "length " + length + " on " + out.name() + " for " + untaggedLength + " bytes untagged");
        }
        if (action == 1) {
            check(Arrays.equals(b, 16, 16 + untaggedLength - 12, untagged, 12, untaggedLength),
                    "payload changed on the way to " + out.name());
        } else {
            check(Arrays.equals(b, 0, untaggedLength, untagged, 0, untaggedLength), "bytes changed on the way to " + out.name());
        }
        check(allZero(b, body + untaggedLength, length), "padding on " + out.name() + " not zero");
    }

    private void check(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError("frame " + serial + " from port " + inPort + " (VLAN " + vlan + "): " + what
                    + "; it arrived as " + hex(ingress, ingressLength));
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    private static String hex(byte[] b, int length) {
        return HexFormat.of().formatHex(b, 0, Math.min(length, 48)) + (length > 48 ? "… (" + length + " bytes)" : "");
    }

    /**
     * A port that judges each frame as it is sent, in place and without keeping it: ten million
     * frames leave no garbage behind. It keeps the last frame it was sent, for the mirror checks.
     */
    private final class CheckingPort extends NullPort {
        final VlanConfig mode;
        final byte[] last = new byte[Frame.MAX_FRAME_LEN];
        int lastLength;
        int id;
        int copies;
        boolean span;

        CheckingPort(String name, VlanConfig mode) {
            super(name);
            this.mode = mode;
        }

        @Override
        public int send(Frame frame) {
            lastLength = frame.length();
            frame.buffer().get(frame.frame(), last, 0, lastLength);
            if (span) {
                check(++copies == 1, copies + " copies to the SPAN port");
            } else {
                judge(this, last, lastLength);
            }
            return 0;
        }
    }
}
