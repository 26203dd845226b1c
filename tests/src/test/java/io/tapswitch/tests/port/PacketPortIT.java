package io.tapswitch.tests.port;

import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.port.TapPort;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.NetDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The port contract for {@link PacketPort} on the root-namespace end of a veth pair whose other end
 * is the peer, plus what only an AF_PACKET port must do: ignore what is sent on its interface, and
 * follow an interface that is deleted and created again.
 */
class PacketPortIT extends PortContractIT {

    @Override
    protected char letter() {
        return 'p';
    }

    private static String peer(String name) {
        return name + "n";
    }

    @Override
    protected void createDevice(String name, Netns ns) {
        HostCommand.check("ip", "link", "add", name, "type", "veth", "peer", "name", peer(name), "netns", ns.name());
        HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1");
        HostCommand.check("ip", "link", "set", "dev", name, "up");
    }

    @Override
    protected Port open(String name) throws NativeException {
        return PacketPort.open(name);
    }

    @Override
    protected String connectPeer(String name, Netns ns) {
        ns.configure(peer(name), null, PEER_IP + "/24", null);
        return peer(name);
    }

    @Override
    protected void setLinkUp(String name, Netns ns, boolean up) {
        HostCommand.check("ip", "link", "set", "dev", name, up ? "up" : "down");
    }

    @Override
    protected void removeDevice(String name) {
        if (NetDevice.exists(name)) {
            HostCommand.run(List.of("ip", "link", "del", name));
        }
    }

    @Override
    protected Map<String, Class<? extends Exception>> failingOpens(String name) {
        return Map.of(name + "gone", NativeException.class, "tspk/bad", IllegalArgumentException.class,
                "tspk-name-too-long", IllegalArgumentException.class);
    }

    @Override
    protected boolean reportsErrorsWhileDown() {
        return true;
    }

    @Test
    void negotiatesOffloadsTagsAndKernelSideOutgoingFilter() throws Exception {
        PacketPort port = (PacketPort) openTracked();
        assertThat(port.vnetHeader()).isTrue();
        assertThat(port.restoresVlanTags()).isTrue();
        assertThat(port.outgoingFilter()).as("Linux >= 4.20").isEqualTo(PacketPort.OutgoingFilter.IGNORE_OUTGOING);
        assertThat(port.boundIndex()).isEqualTo(NetDevice.index(name));
        assertThat(HostCommand.check("ip", "-d", "link", "show", "dev", name).output()).as("while the port is open").contains("promiscuity 1 ");
        port.close();
        assertThat(HostCommand.check("ip", "-d", "link", "show", "dev", name).output()).as("once the port is closed").contains("promiscuity 0 ");
    }

    /**
     * Frames written into a TAP's fd are received by its netdev, whose receive path moves any VLAN
     * tag into metadata before packet sockets see the frame; the port must hand them on tagged as
     * they were, and send tagged frames unchanged. The priority tag (TCI 0) shows that a tag is
     * recognised by the kernel's flag, not by a nonzero TCI.
     */
    @ParameterizedTest(name = "TPID {0}, TCI {1}")
    @CsvSource({"0x8100, 0x0064", "0x88a8, 0xa0c8", "0x8100, 0x0000"})
    void restoresTheVlanTagsTheKernelStripped(String tpidText, String tciText) throws Exception {
        int tpid = Integer.decode(tpidText);
        int tci = Integer.decode(tciText);
        String tapName = name + "q";
        byte[] inbound = Probes.tagged(Probes.mac("02:7a:73:70:6b:09"), Probes.mac("02:7a:73:70:6b:0a"), tpid, tci, 0x88b5, 60);
        byte[] outbound = Probes.tagged(Probes.mac("02:7a:73:70:6b:0a"), Probes.mac("02:7a:73:70:6b:09"), tpid, tci, 0x88b5, 61);
        try (TapPort tap = TapPort.open(tapName, false, true)) {
            HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + tapName + ".disable_ipv6=1");
            tap.setLinkUp(true);
            try (PacketPort port = PacketPort.open(tapName)) {
                assertThat(sendOnce(tap, inbound)).isZero();
                Exchange read = exchange(port, null, f -> Arrays.equals(f, inbound), 2000);
                assertThat(read.match()).as("read by the packet port: %s", hex(read.seen())).isNotNull();

                assertThat(sendOnce(port, outbound)).isZero();
                Exchange atTap = exchange(tap, null, f -> Arrays.equals(f, outbound), 2000);
                assertThat(atTap.match()).as("read from the TAP fd: %s", hex(atTap.seen())).isNotNull();
            }
        }
    }

    private static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(f -> HexFormat.of().formatHex(f, 0, Math.min(f.length, 20))).toList();
    }

    @Test
    void neverReadsWhatAnotherSocketSendsOnItsInterface() throws Exception {
        Port reader = openTracked();
        Port sender = openTracked();
        connectPeer(name, ns);
        byte[] request = arpRequest(0, 0);

        Exchange viaSender = exchange(sender, request, isArpReply(0, 0), 5000);
        Exchange atReader = exchange(reader, null, f -> false, 1000);

        assertThat(viaSender.match()).isNotNull();
        assertThat(atReader.seen()).as("frames read by the other port").isNotEmpty()
                .anyMatch(isArpReply(0, 0)).noneMatch(f -> Arrays.equals(f, request));
    }

    @Test
    void followsTheInterfaceWhenItIsDeletedAndCreatedAgain() throws Exception {
        PacketPort port = (PacketPort) openTracked();
        connectPeer(name, ns);
        assertThat(exchange(port, arpRequest(0, 0), isArpReply(0, 0), 5000).match()).isNotNull();
        int fd = port.pollFd();
        int oldIndex = NetDevice.index(name);

        HostCommand.check("ip", "link", "del", name);
        Exchange gone = exchange(port, arpRequest(0, 0), isArpReply(0, 0), 2500);
        assertThat(gone.match()).isNull();
        assertThat(gone.errors()).isPositive();
        assertThat(port.boundIndex()).as("the kernel forgets a deleted interface's binding").isEqualTo(-1);

        createDevice(name, ns);
        connectPeer(name, ns);
        int newIndex = NetDevice.index(name);
        assertThat(newIndex).isNotEqualTo(oldIndex);
        Exchange back = exchange(port, arpRequest(0, 0), isArpReply(0, 0), 10_000);

        assertThat(back.match()).as("answer through the re-created interface").isNotNull();
        assertThat(port.boundIndex()).isEqualTo(newIndex);
        assertThat(port.pollFd()).isEqualTo(fd);
    }
}
