package io.tapswitch.core.sys;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PollFds} against real eventfds, which need no privileges. */
class PollFdsTest {

    @Test
    void reportsWhichEntryBecameReadable() throws Exception {
        try (EventFd a = new EventFd(); EventFd b = new EventFd()) {
            PollFds fds = new PollFds(2);
            fds.set(0, a.fd(), Poll.POLLIN);
            fds.set(1, b.fd(), Poll.POLLIN);
            assertThat(fds.poll(0)).isZero();

            b.signal();
            assertThat(fds.poll(1000)).isEqualTo(1);
            assertThat(fds.readable(0)).isFalse();
            assertThat(fds.readable(1)).isTrue();
            assertThat(fds.failed(1)).isFalse();
            assertThat(fds.fd(1)).isEqualTo(b.fd());

            assertThat(fds.poll(0, 1, 0)).as("entry 0 alone").isZero();
            b.drain();
            fds.set(1, b.fd(), Poll.POLLIN);
            assertThat(fds.revents(1)).as("set clears what the last poll reported").isZero();
            assertThat(fds.poll(0)).isZero();
        }
    }

    @Test
    void ignoresUnsetEntriesAndFlagsDescriptorsThatAreNotOpen() {
        PollFds fds = new PollFds(2);
        assertThat(fds.poll(0)).as("entries start ignored (fd -1)").isZero();

        // A number far above any descriptor this process has open: poll reports POLLNVAL for it.
        fds.set(0, 1 << 20, Poll.POLLIN);
        assertThat(fds.poll(0, 1, 0)).isEqualTo(1);
        assertThat(fds.failed(0)).isTrue();
        assertThat(fds.readable(0)).isFalse();
    }

    @Test
    void rejectsEntriesOutsideTheArray() {
        PollFds fds = new PollFds(1);
        assertThatThrownBy(() -> fds.set(1, 0, Poll.POLLIN)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> fds.poll(0, 2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new PollFds(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
