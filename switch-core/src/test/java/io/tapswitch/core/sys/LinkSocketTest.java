package io.tapswitch.core.sys;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Link messages as the kernel lays them out, and a real rtnetlink socket's dump. */
class LinkSocketTest {
    /** What a parse reported, in order. */
    private static final class Recorder implements LinkSocket.Handler {
        final List<String> seen = new ArrayList<>();

        @Override
        public void link(boolean added, int index, String name) {
            seen.add((added ? "+" : "-") + name + "#" + index);
        }

        @Override
        public void dumpDone(int seq) {
            seen.add("done " + seq);
        }
    }

    /** One link message: nlmsghdr, ifinfomsg, an IFLA_MTU attribute and then IFLA_IFNAME. */
    private static void link(ByteBuffer b, int type, int seq, int index, String name) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        int mtuAttr = 8;
        int nameAttr = Rtnetlink.SIZEOF_RTATTR + n.length;
        int len = Netlink.SIZEOF_NLMSGHDR + Rtnetlink.SIZEOF_IFINFOMSG + mtuAttr + Rtnetlink.align(nameAttr);
        int at = b.position();
        b.putInt(len).putShort((short) type).putShort((short) 0).putInt(seq).putInt(0);
        b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(0).putInt(0);
        b.putShort((short) mtuAttr).putShort((short) 4).putInt(1500);
        b.putShort((short) nameAttr).putShort((short) Rtnetlink.IFLA_IFNAME).put(n);
        b.position(at + Netlink.align(len));
    }

    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());
    }

    @Test
    void newAndDeletedLinksAndTheEndOfADump() {
        ByteBuffer b = buffer();
        link(b, Rtnetlink.RTM_NEWLINK, 0, 7, "vm-x1");
        link(b, Rtnetlink.RTM_DELLINK, 0, 8, "vm-web0");
        b.putInt(Netlink.SIZEOF_NLMSGHDR + 4).putShort((short) Netlink.NLMSG_DONE).putShort((short) 0).putInt(42).putInt(0).putInt(0);
        b.flip();
        Recorder r = new Recorder();
        LinkSocket.parse(b, r);
        assertThat(r.seen).containsExactly("+vm-x1#7", "-vm-web0#8", "done 42");
    }

    @Test
    void otherMessagesAreSkipped() {
        ByteBuffer b = buffer();
        // an RTM_NEWADDR (20) that happens to be the size of a link message
        link(b, 20, 0, 3, "eth9");
        link(b, Rtnetlink.RTM_NEWLINK, 0, 4, "vm-x2");
        b.flip();
        Recorder r = new Recorder();
        LinkSocket.parse(b, r);
        assertThat(r.seen).containsExactly("+vm-x2#4");
    }

    @Test
    void lengthsBeyondTheDatagramEndTheWalk() {
        ByteBuffer b = buffer();
        link(b, Rtnetlink.RTM_NEWLINK, 0, 5, "vm-ok");
        int second = b.position();
        link(b, Rtnetlink.RTM_NEWLINK, 0, 6, "vm-cut");
        b.flip();
        // the second message claims more bytes than the datagram holds
        b.putInt(second, 4096);
        Recorder r = new Recorder();
        LinkSocket.parse(b, r);
        assertThat(r.seen).containsExactly("+vm-ok#5");
        // an attribute longer than its message is ignored, and the message without a name with it
        ByteBuffer c = buffer();
        link(c, Rtnetlink.RTM_NEWLINK, 0, 9, "vm-bad");
        c.flip();
        c.putShort(Netlink.SIZEOF_NLMSGHDR + Rtnetlink.SIZEOF_IFINFOMSG + 8, (short) 200);
        Recorder r2 = new Recorder();
        LinkSocket.parse(c, r2);
        assertThat(r2.seen).isEmpty();
    }

    @Test
    void aDumpOfARealSocketListsLoopbackAndEnds() throws Exception {
        Recorder r = new Recorder();
        try (LinkSocket socket = LinkSocket.open()) {
            socket.requestDump(77);
            long deadline = System.nanoTime() + 5_000_000_000L;
            PollFds fds = new PollFds(1);
            while (!r.seen.contains("done 77") && System.nanoTime() < deadline) {
                fds.set(0, socket.fd(), Poll.POLLIN);
                fds.poll(100);
                socket.receive(r);
            }
        }
        assertThat(r.seen).contains("+lo#1", "done 77");
    }
}
