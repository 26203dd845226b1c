package io.tapswitch.agent.vm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who QEMU runs as, and the setpriv line that takes every capability away from it. */
class GuestUserTest {
    private static final List<String> QEMU = List.of("qemu-system-x86_64", "-name", "vm1");

    @Test
    void aRootAgentChangesUserAndEmptiesEveryCapabilitySet() {
        GuestUser nobody = new GuestUser("nobody", 65534, 65534, true);
        assertThat(nobody.launch(QEMU)).containsExactly("setpriv", "--reuid=65534", "--regid=65534", "--init-groups",
                "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all", "--no-new-privs", "--",
                "qemu-system-x86_64", "-name", "vm1");
    }

    @Test
    void anUnprivilegedAgentKeepsItsUserButDropsItsAmbientCapabilities() {
        GuestUser self = new GuestUser("tapswitch", 995, 994, false);
        assertThat(self.launch(QEMU)).containsExactly("setpriv", "--inh-caps=-all", "--ambient-caps=-all",
                "--no-new-privs", "--", "qemu-system-x86_64", "-name", "vm1");
    }

    @Test
    void unknownUsersAndRootAreRefused() {
        if (GuestUser.agentUid() != 0) {
            assertThatThrownBy(() -> GuestUser.forLab("root")).hasMessageContaining("can start guests only as itself");
            return;
        }
        assertThat(GuestUser.forLab(null).name()).isEqualTo(GuestUser.DEFAULT_USER);
        assertThat(GuestUser.forLab(null).uid()).isNotZero();
        assertThatThrownBy(() -> GuestUser.forLab("root")).hasMessageContaining("never run as root");
        assertThatThrownBy(() -> GuestUser.forLab("tsp-no-such-user")).hasMessageContaining("no user named");
    }
}
