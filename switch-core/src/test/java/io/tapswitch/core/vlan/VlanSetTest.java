package io.tapswitch.core.vlan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/*
 * Equivalent mutants: contains() with "vid > 0" for "vid >= 0" (VID 0 is never in a set), and
 * toString()'s "v + 1 <= MAX_VID" as "v - 1 <= MAX_VID" (contains(4095) is false either way).
 */
class VlanSetTest {
    @Test
    void parsesListsAndRanges() {
        VlanSet s = VlanSet.parse("10, 20-29,4094");
        assertThat(s.contains(10)).isTrue();
        assertThat(s.contains(20)).isTrue();
        assertThat(s.contains(29)).isTrue();
        assertThat(s.contains(30)).isFalse();
        assertThat(s.contains(4094)).isTrue();
        assertThat(s.toArray()).hasSize(12);
        assertThat(s).hasToString("10,20-29,4094");
        assertThat(VlanSet.parse(s.toString())).isEqualTo(s);
    }

    @Test
    void emptyAllowsEveryValidVid() {
        assertThat(VlanSet.EMPTY.allows(1)).isTrue();
        assertThat(VlanSet.EMPTY.allows(4094)).isTrue();
        assertThat(VlanSet.EMPTY.allows(0)).isFalse();
        assertThat(VlanSet.EMPTY.allows(4095)).isFalse();
        assertThat(VlanSet.parse(" ")).isEqualTo(VlanSet.EMPTY);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0|VLAN ID 0 is outside 1-4094",
            "4095|VLAN ID 4095 is outside 1-4094",
            "10-5|range '10-5' is reversed",
            "ten|'ten' is not a VLAN ID",
            "1-|'1-' is not a VLAN ID",
    })
    void rejectsBadLists(String text, String message) {
        assertThatThrownBy(() -> VlanSet.parse(text)).hasMessageContaining(message);
    }

    @Test
    void configRejectsInconsistentModes() {
        assertThatThrownBy(() -> new VlanConfig(VlanMode.ACCESS, 0, VlanSet.EMPTY, 0)).hasMessageContaining("tag:");
        assertThatThrownBy(() -> new VlanConfig(VlanMode.TRUNK, 5, VlanSet.EMPTY, 0)).hasMessageContaining("tag:");
        assertThatThrownBy(() -> new VlanConfig(VlanMode.ACCESS, 10, VlanSet.of(20), 0)).hasMessageContaining("trunks:");
        assertThatThrownBy(() -> new VlanConfig(VlanMode.TRUNK, 0, VlanSet.EMPTY, 0x88a8)).hasMessageContaining("tpid:");
        assertThat(VlanConfig.dot1qTunnel(100).tpid()).isEqualTo(0x88a8);
        assertThat(VlanConfig.dot1qTunnel(100).withTpid(0x8100).tpid()).isEqualTo(0x8100);
        assertThat(VlanMode.parse("native-untagged")).isEqualTo(VlanMode.NATIVE_UNTAGGED);
        assertThatThrownBy(() -> VlanMode.parse("hybrid")).hasMessageContaining("unknown VLAN mode 'hybrid'");
    }

    @Test
    void holdsExactlyTheValidVidsAndNothingOutsideTheMap() {
        VlanSet ends = VlanSet.of(1, 4094);
        assertThat(ends.contains(1)).isTrue();
        assertThat(ends.contains(4094)).isTrue();
        assertThat(ends.contains(4096)).isFalse();
        assertThat(ends.contains(-1)).isFalse();
        assertThat(ends.toString()).isEqualTo("1,4094");
        assertThatThrownBy(() -> VlanSet.of(0)).hasMessageContaining("VLAN ID 0 is outside 1-4094");
        assertThatThrownBy(() -> VlanSet.of(4095)).hasMessageContaining("VLAN ID 4095 is outside 1-4094");
    }

    @Test
    void checksBothEndsOfARange() {
        assertThatThrownBy(() -> VlanSet.parse("0-5")).hasMessageContaining("VLAN ID 0-5 is outside 1-4094");
        assertThatThrownBy(() -> VlanSet.parse("5-4095")).hasMessageContaining("VLAN ID 5-4095 is outside 1-4094");
        assertThatThrownBy(() -> VlanSet.parse("-5")).hasMessageContaining("VLAN ID -5 is outside 1-4094");
    }

    @Test
    void printsRangesThatReachTheLastVid() {
        assertThat(VlanSet.parse("4090-4094").toString()).isEqualTo("4090-4094");
        assertThat(VlanSet.parse("1-4094").toString()).isEqualTo("1-4094");
        assertThat(VlanSet.parse("4093,4094").toArray()).containsExactly(4093, 4094);
    }

    @Test
    void equalSetsAreEqualAndHashAlikeOthersAreNot() {
        assertThat(VlanSet.parse("10,20-22")).isEqualTo(VlanSet.of(10, 20, 21, 22))
                .hasSameHashCodeAs(VlanSet.of(10, 20, 21, 22));
        assertThat(VlanSet.parse("10")).isNotEqualTo(VlanSet.parse("11")).isNotEqualTo("10");
        assertThat(VlanSet.parse("10").hashCode()).isNotEqualTo(VlanSet.EMPTY.hashCode());
    }

    @Test
    void configTakesTheFirstAndLastVidAsATagAndBuildsEachMode() {
        assertThat(VlanConfig.access(1).tag()).isEqualTo(1);
        assertThat(VlanConfig.access(4094).tag()).isEqualTo(4094);
        assertThatThrownBy(() -> VlanConfig.access(4095)).hasMessageContaining("tag:");
        VlanConfig nativeUntagged = VlanConfig.nativeUntagged(5, VlanSet.of(6));
        assertThat(nativeUntagged.mode()).isEqualTo(VlanMode.NATIVE_UNTAGGED);
        assertThat(nativeUntagged.trunks()).isEqualTo(VlanSet.of(6));
        VlanConfig nativeTagged = VlanConfig.nativeTagged(5, VlanSet.of(6));
        assertThat(nativeTagged.mode()).isEqualTo(VlanMode.NATIVE_TAGGED);
        assertThat(nativeTagged.tag()).isEqualTo(5);
    }

    @Test
    void everyModeParsesFromItsWireName() {
        for (VlanMode mode : VlanMode.values()) {
            assertThat(VlanMode.parse(mode.wireName())).isEqualTo(mode);
        }
        assertThat(VlanMode.DOT1Q_TUNNEL.wireName()).isEqualTo("dot1q-tunnel");
    }
}
