package io.tapswitch.core.sys;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link EpollSet} and {@link EpollEvents} against real eventfds, which need no privileges. */
class EpollSetTest {

    @Test
    void reportsTheReadyDescriptorWithItsDataUntilItIsDrainedOrRemoved() throws Exception {
        try (EpollSet set = new EpollSet(); EventFd a = new EventFd(); EventFd b = new EventFd()) {
            EpollEvents events = new EpollEvents(4);
            assertThat(set.add(a.fd(), Epoll.EPOLLIN, 7)).isZero();
            assertThat(set.add(b.fd(), Epoll.EPOLLIN, -1L)).isZero();
            assertThat(set.add(b.fd(), Epoll.EPOLLIN, -1L)).as("added twice").isEqualTo(-Errno.EEXIST);
            assertThat(set.wait(events, 0)).isZero();

            b.signal();
            assertThat(set.wait(events, 1000)).isEqualTo(1);
            assertThat(events.data(0)).isEqualTo(-1L);
            assertThat(events.events(0) & Epoll.EPOLLIN).isNotZero();
            assertThat(set.wait(events, 0)).as("level-triggered: reported again while readable").isEqualTo(1);

            b.drain();
            a.signal();
            assertThat(set.wait(events, 1000)).isEqualTo(1);
            assertThat(events.data(0)).isEqualTo(7);

            assertThat(set.remove(a.fd())).isZero();
            assertThat(set.wait(events, 0)).as("removed").isZero();
            assertThat(set.remove(a.fd())).isEqualTo(-Errno.ENOENT);
        }
    }

    @Test
    void theLayoutMatchesTheKernelsStruct() {
        assertThat(Epoll.SIZEOF_EPOLL_EVENT).isIn(12, 16);
        EpollEvents events = new EpollEvents(2);
        events.set(1, Epoll.EPOLLIN | Epoll.EPOLLERR, 0x1122334455667788L);
        assertThat(events.events(1)).isEqualTo(Epoll.EPOLLIN | Epoll.EPOLLERR);
        assertThat(events.data(1)).isEqualTo(0x1122334455667788L);
        assertThat(events.data(0)).isZero();
    }

    /**
     * The closed descriptor's number may be handed out again at once (the JVM opens files on other
     * threads), so the test recognises its own epoll instance by identity rather than by number: it
     * registers an eventfd with a random data word, which the kernel shows in the instance's fdinfo,
     * and after the close no descriptor of that number may show it.
     */
    @Test
    void closingIsIdempotent() throws Exception {
        long marker = ThreadLocalRandom.current().nextLong() | 1L << 62;
        String mark = "data: " + Long.toHexString(marker);
        try (EventFd target = new EventFd()) {
            EpollSet set = new EpollSet();
            int fd = set.fd();
            assertThat(set.add(target.fd(), Epoll.EPOLLIN, marker)).isZero();
            assertThat(fdinfo(fd)).as("the instance shows its marker while open").contains(mark);
            set.close();
            set.close();
            assertThat(set.fd()).isEqualTo(-1);
            assertThat(fdinfo(fd)).as("no descriptor numbered " + fd + " is this epoll instance").doesNotContain(mark);
        }
    }

    private static String fdinfo(int fd) throws IOException {
        try {
            return Files.readString(Path.of("/proc/self/fdinfo/" + fd));
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
