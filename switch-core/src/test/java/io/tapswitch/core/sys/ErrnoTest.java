package io.tapswitch.core.sys;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrnoTest {

    @Test
    void onlyEagainAndEintrAreTransient() {
        assertThat(Errno.isTransient(Errno.EAGAIN)).isTrue();
        assertThat(Errno.isTransient(Errno.EINTR)).isTrue();
        for (int errno : new int[] {Errno.ENETDOWN, Errno.ENXIO, Errno.ENODEV, Errno.EIO, Errno.EBADF, Errno.EBADFD, 0}) {
            assertThat(Errno.isTransient(errno)).as("errno %d", errno).isFalse();
        }
    }

    @Test
    void describesAnErrnoByNameAndWordsAsExceptionsDo() {
        assertThat(Errno.describe(Errno.ENETDOWN)).isEqualTo("ENETDOWN Network is down");
        assertThat(new NativeException("recvmsg", Errno.ENETDOWN, null).getMessage())
                .isEqualTo("recvmsg: " + Errno.describe(Errno.ENETDOWN));
        assertThat(Errno.describe(4000)).startsWith("errno 4000");
    }
}
