package io.tapswitch.core.tunnel;

import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.offload.Packet;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the outer source port is a function of: each field of the inner flow changes it, and
 * nothing else does (RFC 7348 §5: a flow's datagrams must take one path, and flows should spread).
 *
 * <p>Bytes are flipped in the low half of each word the hash mixes in: a multiplication carries a
 * change only towards higher bits, so the top bits of a word (the first octet of an IPv4 source
 * address, say) reach only a few bits of the port, and a flip there may leave it unchanged.
 *
 * <p>Equivalent mutants: the final folding ({@code h ^= h >>> 29} with another shift or operator
 * that still mixes the product's high bits into the low ones) changes which port a flow gets, not
 * whether flows keep theirs or spread; {@code protocol >= 0} as {@code > 0} (IPv6 next header 0 is
 * then left out of the hash, which changes its ports but not how they behave); {@code l4 > 0} as
 * {@code >= 0} (the L4 offset is never 0).
 */
class FlowHashTest {
    /** Offsets in an untagged IPv4 TCP frame. */
    private static final int L3 = 14;
    private static final int L4 = 34;

    private final Frame frame = new Frame(4);

    private int port(byte[] bytes) {
        frame.load(bytes);
        return FlowHash.sourcePort(frame.buffer(), frame.frame(), frame.length());
    }

    private static byte[] with(byte[] bytes, int at, int value) {
        byte[] b = bytes.clone();
        b[at] = (byte) value;
        return b;
    }

    private void assertChangedBy(byte[] base, int... offsets) {
        int p = port(base);
        for (int at : offsets) {
            assertThat(port(with(base, at, base[at] ^ 0x5a))).as("byte %d is part of the flow", at).isNotEqualTo(p);
        }
    }

    private void assertNotChangedBy(byte[] base, int... offsets) {
        int p = port(base);
        for (int at : offsets) {
            assertThat(port(with(base, at, base[at] ^ 0x5a))).as("byte %d is not part of the flow", at).isEqualTo(p);
        }
    }

    @Test
    void everyFieldOfAnIpv4TcpFlowCountsAndNothingElse() {
        byte[] tcp = Packet.tcp4().payload(20).build();
        assertChangedBy(tcp, 2, 5, 6, 11, 12, 13, L3 + 9, L3 + 14, L3 + 15, L3 + 17, L3 + 19, L4, L4 + 1, L4 + 2, L4 + 3);
        assertNotChangedBy(tcp, L3 + 1, L3 + 4, L3 + 8, L3 + 10, L4 + 4, L4 + 13, L4 + 20);
    }

    @Test
    void udpAndSctpPortsCountButNotTheBytesBehindOtherProtocols() {
        byte[] udp = Packet.udp4().payload(20).build();
        assertChangedBy(udp, L4, L4 + 3);
        byte[] sctp = with(udp, L3 + 9, 132);
        assertChangedBy(sctp, L4, L4 + 3);
        byte[] icmp = with(udp, L3 + 9, 1);
        assertNotChangedBy(icmp, L4, L4 + 3);
        assertThat(port(icmp)).isNotEqualTo(port(udp));
    }

    @Test
    void portsBehindIpOptionsCountAndTheOptionsDoNot() {
        byte[] tcp = Packet.tcp4().ipOptions(8).payload(20).build();
        assertChangedBy(tcp, L4 + 8, L4 + 11);
        assertNotChangedBy(tcp, L4, L4 + 3);
    }

    @Test
    void laterFragmentsCarryNoPortsSoOnlyTheFirstOneHashesThem() {
        byte[] first = Packet.udp4().payload(20).build();
        first[L3 + 6] = 0x20; // more fragments, offset 0
        assertChangedBy(first, L4, L4 + 3);
        byte[] later = first.clone();
        later[L3 + 7] = 0x10; // offset 16 x 8 bytes
        assertNotChangedBy(later, L4, L4 + 3);
        byte[] highOffset = first.clone();
        highOffset[L3 + 6] = 0x01; // offset bits in the high byte
        assertNotChangedBy(highOffset, L4, L4 + 3);
    }

    @Test
    void everyFieldOfAnIpv6FlowCounts() {
        byte[] tcp = Packet.tcp6().payload(20).build();
        int l4 = L3 + 40;
        assertChangedBy(tcp, L3 + 6, L3 + 13, L3 + 15, L3 + 21, L3 + 23, L3 + 29, L3 + 31, L3 + 37, L3 + 39, l4, l4 + 3);
        assertNotChangedBy(tcp, L3 + 1, L3 + 7, l4 + 4);
    }

    @Test
    void vlanTagsAreLookedThroughUpToTwo() {
        byte[] plain = Packet.tcp4().payload(20).build();
        byte[] one = Packet.tcp4().tag(0x8100, 10).payload(20).build();
        byte[] two = Packet.tcp4().tag(0x88a8, 100).tag(0x8100, 10).payload(20).build();
        assertThat(port(one)).isEqualTo(port(plain));
        assertThat(port(two)).isEqualTo(port(plain));
        assertChangedBy(two, 8 + L3 + 15, 8 + L3 + 19, 8 + L4, 8 + L4 + 3);
        byte[] three = Packet.tcp4().tag(0x88a8, 100).tag(0x8100, 10).tag(0x8100, 20).payload(20).build();
        assertNotChangedBy(three, 12 + L3 + 15, 12 + L4);
    }

    @Test
    void headersThatEndWithTheFrameCountAndTruncatedOnesAreNotRead() {
        byte[] tcp = Packet.tcp4().payload(20).build();
        byte[] ipOnly = Arrays.copyOf(tcp, L3 + 20);
        assertChangedBy(ipOnly, L3 + 15, L3 + 19);
        byte[] shortIp = Arrays.copyOf(tcp, L3 + 19);
        assertNotChangedBy(shortIp, L3 + 15, L3 + 9);
        byte[] portsOnly = Arrays.copyOf(tcp, L4 + 4);
        assertChangedBy(portsOnly, L4, L4 + 3);
        byte[] shortPorts = Arrays.copyOf(tcp, L4 + 3);
        assertNotChangedBy(shortPorts, L4, L4 + 2);

        byte[] v6 = Packet.tcp6().payload(20).build();
        byte[] v6HeaderOnly = Arrays.copyOf(v6, L3 + 40);
        assertChangedBy(v6HeaderOnly, L3 + 13, L3 + 39);
        byte[] v6Short = Arrays.copyOf(v6, L3 + 39);
        assertNotChangedBy(v6Short, L3 + 13, L3 + 6);

        byte[] tagAndType = Arrays.copyOf(Packet.tcp4().tag(0x8100, 10).payload(20).build(), 18);
        assertChangedBy(tagAndType, 16, 17);
        byte[] tagWithoutType = Arrays.copyOf(tagAndType, 17);
        assertNotChangedBy(tagWithoutType, 16);
    }

    @Test
    void flowsSpreadEvenlyOverTheDynamicRange() {
        Random random = new Random(5);
        Set<Integer> ports = new HashSet<>();
        int[] high = new int[2];
        for (int i = 0; i < 2_000; i++) {
            byte[] f = Packet.tcp4().payload(0).build();
            for (int at : new int[] {L3 + 12, L3 + 13, L3 + 14, L3 + 15, L4, L4 + 1}) {
                f[at] = (byte) random.nextInt(256);
            }
            int p = port(f);
            assertThat(p).isBetween(49152, 65535);
            ports.add(p);
            high[(p >> 13) & 1]++;
        }
        // 2000 flows over 16384 ports: about 1890 distinct when uniform.
        assertThat(ports).hasSizeGreaterThan(1_800);
        assertThat(high[1]).isBetween(850, 1_150);
    }

    @Test
    void flowsThatDifferOnlyInTheHighBytesOfAWordSpreadToo() {
        // The first octet of the IPv4 source and the first byte of the destination MAC lead their
        // words; 256 such flows over 16384 ports: about 254 distinct when uniform.
        for (int at : new int[] {L3 + 12, 0}) {
            Set<Integer> ports = new HashSet<>();
            for (int v = 0; v < 256; v++) {
                byte[] f = Packet.tcp4().payload(0).build();
                f[at] = (byte) (at == 0 ? v & 0xfe : v);
                ports.add(port(f));
            }
            assertThat(ports).as("ports of flows differing in byte %d", at).hasSizeGreaterThan(at == 0 ? 120 : 240);
        }
    }
}
