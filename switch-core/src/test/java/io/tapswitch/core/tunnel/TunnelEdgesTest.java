package io.tapswitch.core.tunnel;

import com.sun.jna.Pointer;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.offload.Packet;
import io.tapswitch.core.port.Refusal;
import io.tapswitch.core.sys.GsoMessages;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

import static io.tapswitch.core.frame.Frames.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * VXLAN encapsulation, decapsulation and the VNI map at their limits: shortest frames and
 * datagrams, first and last VLANs and VNIs, frames of more segments than one send takes, and the
 * state a frame slot is left in.
 *
 * <p>Equivalent mutants: {@code Encapsulation}'s {@code count < 0} as {@code <= 0}, since the
 * segmenter never prepares 0 frames; setting a padding piece of 0 bytes ({@code pad >= 0}), which
 * the message's piece count of 2 leaves unsent; {@code VniMap.hashCode()} with a minus (still
 * consistent with equals); and the address of the zero padding computed with a minus, which reads
 * whatever lies before the scratch buffer (zeros, as it happens) and is not portable to test.
 */
class TunnelEdgesTest {
    private static final long H1 = mac("02:00:00:00:00:01");
    private static final long BCAST = mac("ff:ff:ff:ff:ff:ff");
    private static final int PEER = 0xc6130102;

    private final Frame frame = new Frame(4);
    private final Encapsulation encapsulation = new Encapsulation();

    private byte[] datagram(int slot) {
        GsoMessages m = encapsulation.messages();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < m.pieces(slot); i++) {
            out.writeBytes(new Pointer(m.pieceBase(slot, i)).getByteArray(0, (int) m.pieceLength(slot, i)));
        }
        return out.toByteArray();
    }

    private static int vniOf(byte[] datagram) {
        return ByteBuffer.wrap(datagram).getInt(4) >>> 8;
    }

    @Test
    void theShortestFramesAreEncapsulatedWithTheVniOfTheirTag() {
        VniMap vnis = VniMap.of(10000, Map.of(30, 777));
        frame.load(Arrays.copyOf(Frames.tagged(BCAST, H1, 0x8100, 30, 0x88b5, 0), 18));
        assertThat(encapsulation.prepare(frame, vnis, 1450)).isEqualTo(1);
        encapsulation.fill(frame, 0, PEER, 4789, false);
        assertThat(vniOf(datagram(0))).isEqualTo(777);

        frame.load(Frames.ethernet(BCAST, H1, 0x88b5, 0));
        assertThat(encapsulation.prepare(frame, vnis, 1450)).isEqualTo(1);
        encapsulation.fill(frame, 0, PEER, 4789, false);
        assertThat(vniOf(datagram(0))).isEqualTo(10000);
        assertThat(datagram(0)).hasSize(8 + 60);

        frame.load(Arrays.copyOf(Frames.ethernet(BCAST, H1, 0x88b5, 0), 13));
        assertThat(encapsulation.prepare(frame, vnis, 1450)).isNegative();
    }

    @Test
    void aProbeDatagramStartsWithItsUdpHeaderThenTheVxlanHeader() {
        ByteBuffer buf = ByteBuffer.allocate(24);
        Arrays.fill(buf.array(), (byte) 0xee);
        Vxlan.writeHeaders(buf, 3, 50000, 4789, 0x123456, 100);
        assertThat(java.util.HexFormat.of().formatHex(buf.array()))
                .isEqualTo("ee".repeat(3) + "c350" + "12b5" + "0074" + "0000" + "08000000" + "12345600" + "ee".repeat(5));
    }

    @Test
    void partialTcpChecksumsAreAskedForPerFill() {
        Packet.tcp4().payload(3000).gso(VnetHeader.GSO_TCPV4, 1000).load(frame);
        assertThat(encapsulation.prepare(frame, VniMap.defaults(), 1450)).isEqualTo(3);
        encapsulation.fill(frame, 0, PEER, 4789, false, true);
        assertThat(datagram(0)).as("VXLAN header and a whole segment, the head written mid-buffer").hasSize(8 + 1054);
        byte[] partial = Arrays.copyOfRange(datagram(0), 8, 8 + 1054);
        int tcpLength = partial.length - 34;
        assertThat(ByteBuffer.wrap(partial).getShort(34 + 16) & 0xffff).as("the pseudo-header sum only")
                .isEqualTo(Packet.fold(Packet.pseudo(partial, 14, false, 6, tcpLength)));
        encapsulation.fill(frame, 0, PEER, 4789, false, false);
        byte[] full = Arrays.copyOfRange(datagram(0), 8, 8 + 1054);
        assertThat(Packet.fold(Packet.sum(full, 34, tcpLength, Packet.pseudo(full, 14, false, 6, tcpLength))))
                .as("a full checksum verifies").isEqualTo(0xffff);
    }

    @Test
    void vni0IsAVniLikeAnyOther() {
        frame.load(Frames.ethernet(BCAST, H1, 0x0806, 46));
        assertThat(encapsulation.prepare(frame, VniMap.explicit(Map.of(0, 0)), 1450)).isEqualTo(1);
        encapsulation.fill(frame, 0, PEER, 4789, false);
        assertThat(vniOf(datagram(0))).isZero();
    }

    @Test
    void aFrameOfExactlyTheInnerBoundFitsAndOneOfSixtyBytesNeedsNoPadding() {
        frame.load(Frames.ethernet(BCAST, H1, 0x88b5, 1436));
        assertThat(encapsulation.prepare(frame, VniMap.defaults(), 1450)).isEqualTo(1);
        assertThat(encapsulation.prepare(frame, VniMap.defaults(), 1449)).isEqualTo(Refusal.TOO_BIG_FOR_UNDERLAY.code());

        frame.load(Frames.ethernet(BCAST, H1, 0x88b5, 46));
        encapsulation.prepare(frame, VniMap.defaults(), 1450);
        encapsulation.fill(frame, 0, PEER, 4789, false);
        assertThat(encapsulation.messages().pieces(0)).isEqualTo(2);
        assertThat(datagram(0)).hasSize(8 + 60);
    }

    @Test
    void aFrameOfMoreSegmentsThanOneSendIsFilledInRounds() {
        Packet p = Packet.tcp4().payload(65 * 1000).gso(VnetHeader.GSO_TCPV4, 1000);
        p.load(frame);
        assertThat(encapsulation.prepare(frame, VniMap.defaults(), 1450)).isEqualTo(65);
        assertThat(encapsulation.fill(frame, 0, PEER, 4789, false)).isEqualTo(Encapsulation.SLOTS);
        assertThat(encapsulation.fill(frame, 64, PEER, 4789, false)).isEqualTo(1);
        byte[] last = datagram(0);
        assertThat(ByteBuffer.wrap(last).getInt(8 + 14 + 20 + 4)).as("sequence number of segment 64")
                .isEqualTo(0x10000000 + 64 * 1000);
    }

    private void receive(byte[] datagram) {
        frame.reset();
        // what an earlier, offloaded frame left in the slot's vnet header
        frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
        frame.buffer().put(frame.start() + VnetHeader.GSO_TYPE, (byte) VnetHeader.GSO_TCPV4);
        frame.buffer().put(frame.frame() - Vxlan.HEADER_LEN, datagram);
    }

    private static byte[] datagram(int vni, byte[] inner) {
        return ByteBuffer.allocate(8 + inner.length).putInt(0x08 << 24).putInt(vni << 8).put(inner).array();
    }

    private void assertVnetHeaderClear() {
        for (int i = 0; i < VnetHeader.LEN; i++) {
            assertThat(frame.buffer().get(frame.start() + i)).as("vnet header byte %d", i).isZero();
        }
    }

    @Test
    void aFrameOfJustAnEthernetHeaderIsDecapsulatedWithAClearVnetHeader() {
        byte[] inner = Frames.ethernet(BCAST, H1, 0x88b5, 0);
        receive(datagram(10000, inner));
        assertThat(Vxlan.decapsulate(frame, 8 + 14, VniMap.defaults(), 1)).isEqualTo(Vxlan.FRAME);
        assertThat(frame.toBytes()).isEqualTo(inner);
        assertVnetHeaderClear();

        receive(datagram(10000, inner));
        assertThat(Vxlan.decapsulate(frame, 8 + 13, VniMap.defaults(), 1)).isEqualTo(Vxlan.REFUSED);
        assertThat(frame.refusal).isEqualTo(Refusal.MALFORMED_VXLAN.code());
        assertVnetHeaderClear();
    }

    @Test
    void aProbeIsAProbeFromItsHeaderOn() {
        receive(datagram(VniMap.PROBE_VNI, new byte[0]));
        assertThat(Vxlan.decapsulate(frame, 8, VniMap.defaults(), 1)).isEqualTo(Vxlan.PROBE);
        receive(datagram(VniMap.PROBE_VNI, new byte[0]));
        assertThat(Vxlan.decapsulate(frame, 7, VniMap.defaults(), 1)).isEqualTo(Vxlan.REFUSED);
    }

    @Test
    void theMapTakesTheFirstAndLastVlansAndVnis() {
        VniMap map = VniMap.explicit(Map.of(4094, VniMap.MAX_VNI, 1, 0));
        assertThat(map.vni(4094)).isEqualTo(VniMap.MAX_VNI);
        assertThat(map.vlan(0)).isEqualTo(1);
        assertThat(map.explicit()).isEqualTo(Map.of(4094, VniMap.MAX_VNI, 1, 0));
        assertThatThrownBy(() -> VniMap.explicit(Map.of(4095, 5))).hasMessageStartingWith("vlan: 4095");
        assertThatThrownBy(() -> VniMap.explicit(Map.of(-1, 5))).hasMessageStartingWith("vlan: -1");
        assertThatThrownBy(() -> VniMap.explicit(Map.of(5, -1))).hasMessageStartingWith("vni: -1");
        assertThatThrownBy(() -> VniMap.explicit(Map.of(5, VniMap.PROBE_VNI))).hasMessageContaining("reserved for tunnel probes");

        VniMap base = VniMap.base(0);
        assertThat(base.vlan(4094)).isEqualTo(4094);
        assertThat(base.vlan(4095)).isEqualTo(-1);
        assertThat(base.vlan(0)).isZero();
    }

    @Test
    void aBaseVniTakenExplicitlyNamesTheRangeToMoveItOutOf() {
        assertThatThrownBy(() -> VniMap.of(10000, Map.of(20, 10005)))
                .hasMessageContaining("map VLAN 20 outside 10000-14094");
    }

    @Test
    void mapsHashAsTheyCompareAndPrintTheirMappings() {
        VniMap a = VniMap.of(10000, Map.of(30, 777));
        assertThat(a).isEqualTo(VniMap.of(10000, Map.of(30, 777))).hasSameHashCodeAs(VniMap.of(10000, Map.of(30, 777)));
        assertThat(a.hashCode()).isNotEqualTo(VniMap.of(20000, Map.of(30, 777)).hashCode());
        assertThat(VniMap.base(0).hashCode()).isNotEqualTo(VniMap.explicit(Map.of()).hashCode());
        assertThat(a).hasToString("VniMap[base 10000, explicit {30=777}]");
        assertThat(VniMap.explicit(Map.of(30, 777))).hasToString("VniMap[base none, explicit {30=777}]");
    }
}
