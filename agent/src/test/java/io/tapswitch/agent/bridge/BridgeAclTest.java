package io.tapswitch.agent.bridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The bridge helper's access list, and the helper when no agent answers. */
class BridgeAclTest {
    /** alice 1001 (group 1001), bob 1002, mallory 1003; group kvm 990, lab 991. */
    private static final BridgeAcl.Directory USERS = new BridgeAcl.Directory() {
        private final Map<String, Integer> users = Map.of("alice", 1001, "bob", 1002, "mallory", 1003);
        private final Map<String, Integer> groups = Map.of("kvm", 990, "lab", 991, "alice", 1001);

        @Override
        public int uid(String name) {
            return name.chars().allMatch(Character::isDigit) ? Integer.parseInt(name) : users.getOrDefault(name, -1);
        }

        @Override
        public int gid(String name) {
            return name.chars().allMatch(Character::isDigit) ? Integer.parseInt(name) : groups.getOrDefault(name, -1);
        }
    };
    private static final Path FILE = Path.of("/etc/tapswitch/bridge.acl");

    private static BridgeAcl acl(String... lines) {
        return BridgeAcl.parse(FILE, List.of(lines));
    }

    @Test
    void theFirstMatchingLineDecidesAndNobodyIsAllowedByDefault() {
        BridgeAcl acl = acl("# comment", "", "deny user mallory", "allow user alice vlan 10   # alice's guests",
                "allow group kvm trunk 10,20-29", "allow group lab vlan 30 trunk 40-49", "allow user 1003 vlan 5");
        BridgeAcl.Decision alice = acl.decide(1001, "alice", Set.of(1001), USERS);
        assertThat(alice.allowed()).isTrue();
        assertThat(alice.vlan().mode()).isEqualTo("access");
        assertThat(alice.vlan().tag()).isEqualTo(10);
        assertThat(alice.reason()).isEqualTo(FILE + " line 4 allows alice");

        BridgeAcl.Decision bobInKvm = acl.decide(1002, "bob", Set.of(1002, 990), USERS);
        assertThat(bobInKvm.allowed()).isTrue();
        assertThat(bobInKvm.vlan().mode()).isEqualTo("trunk");
        assertThat(bobInKvm.vlan().trunks()).isEqualTo("10,20-29");

        BridgeAcl.Decision bobInLab = acl.decide(1002, "bob", Set.of(1002, 991), USERS);
        assertThat(bobInLab.vlan().mode()).isEqualTo("native-untagged");

        BridgeAcl.Decision bobAlone = acl.decide(1002, "bob", Set.of(1002), USERS);
        assertThat(bobAlone.allowed()).isFalse();
        assertThat(bobAlone.reason()).isEqualTo("no line of " + FILE + " allows bob (uid 1002)");

        // denied before the line that would allow him by number
        BridgeAcl.Decision mallory = acl.decide(1003, "mallory", Set.of(990), USERS);
        assertThat(mallory.allowed()).isFalse();
        assertThat(mallory.reason()).isEqualTo(FILE + " line 3 denies mallory");
    }

    @Test
    void allowAllWithoutVlanGivesTheSwitchDefault() {
        BridgeAcl.Decision d = acl("allow all").decide(4242, "anyone", Set.of(), USERS);
        assertThat(d.allowed()).isTrue();
        assertThat(d.vlan()).isNull();
    }

    @Test
    void aBadLineRefusesEveryoneNamingTheLine() {
        for (String[] bad : List.of(new String[] {"allow alice"}, new String[] {"permit user alice"},
                new String[] {"allow user"}, new String[] {"allow user alice vlan"}, new String[] {"allow user alice vlan ten"},
                new String[] {"allow user alice vlan 5000"}, new String[] {"allow user alice trunk 1-2-3"},
                new String[] {"deny user alice vlan 10"}, new String[] {"allow user alice colour 10"})) {
            BridgeAcl.Decision d = acl("allow all", bad[0]).decide(1001, "alice", Set.of(), USERS);
            assertThat(d.allowed()).as(bad[0]).isFalse();
            assertThat(d.reason()).as(bad[0]).startsWith(FILE + " line 2: ").endsWith("; nobody may attach until it is fixed");
        }
        assertThat(acl("allow user alice vlan 5000").decide(1001, "alice", Set.of(), USERS).reason())
                .contains("vlan: must be a VLAN ID in 1-4094, was 5000");
    }

    @Test
    void aMissingFileRefusesEveryone(@TempDir Path dir) {
        BridgeAcl.Decision d = BridgeAcl.read(dir.resolve("none.acl")).decide(0, "root", Set.of(0), USERS);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("there is no access list " + dir.resolve("none.acl") + ": nobody may attach");
    }

    @Test
    void theHelperSaysWhenNoAgentAnswersAndChecksItsArguments(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(err, true, StandardCharsets.UTF_8);
        String socket = dir.resolve("bridge.sock").toString();
        assertThat(BridgeHelper.run(new String[] {"--use-vnet", "--fd=3", "--br=tapswitch"}, socket, out)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("qemu-bridge-helper: cannot reach the tapswitch agent at "
                + socket + ": is it running, with a bridgeHelper section in its config?\n");
        err.reset();
        assertThat(BridgeHelper.run(new String[] {"--use-vnet", "--br=tapswitch"}, socket, out)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("qemu-bridge-helper: usage:");
    }
}
