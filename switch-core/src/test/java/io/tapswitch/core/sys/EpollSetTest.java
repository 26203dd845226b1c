package io.tapswitch.core.sys;

import org.junit.jupiter.api.Test;

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

    @Test
    void closingIsIdempotent() throws Exception {
        EpollSet set = new EpollSet();
        int fd = set.fd();
        set.close();
        set.close();
        assertThat(set.fd()).isEqualTo(-1);
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/fd/" + fd))).isFalse();
    }
}
