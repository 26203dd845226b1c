package io.tapswitch.agent.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Auto-attach rules: their globs, and how a bad rule in the file is reported. */
class AutoAttachSpecTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void globsMatchWholeNamesOnly() {
        AutoAttachSpec rule = new AutoAttachSpec("vm-*", null);
        assertThat(rule.matches("vm-web0")).isTrue();
        assertThat(rule.matches("vm-")).isTrue();
        assertThat(rule.matches("xvm-web0")).isFalse();
        assertThat(rule.matches("vmweb0")).isFalse();
        assertThat(new AutoAttachSpec("tap?", null).matches("tap1")).isTrue();
        assertThat(new AutoAttachSpec("tap?", null).matches("tap12")).isFalse();
        assertThat(new AutoAttachSpec("vnet[0-3]", null).matches("vnet2")).isTrue();
        assertThat(new AutoAttachSpec("vnet[0-3]", null).matches("vnet4")).isFalse();
        assertThat(new AutoAttachSpec("vnet[!0-3]", null).matches("vnet4")).isTrue();
        assertThat(new AutoAttachSpec("vnet[!0-3]", null).matches("vnet1")).isFalse();
        // '.' is a literal, not "any character"
        assertThat(new AutoAttachSpec("a.b", null).matches("axb")).isFalse();
        assertThat(new AutoAttachSpec("a.b", null).matches("a.b")).isTrue();
    }

    @Test
    void theFirstMatchingRuleWins() throws Exception {
        AgentConfig c = loader.parse("t.yaml", """
                autoAttach:
                  - {match: "vm-db*", vlan: {mode: access, tag: 20}}
                  - {match: "vm-*", vlan: {mode: access, tag: 10}}
                """);
        assertThat(c.autoAttachRule("vm-db1").vlan().tag()).isEqualTo(20);
        assertThat(c.autoAttachRule("vm-web1").vlan().tag()).isEqualTo(10);
        assertThat(c.autoAttachRule("eth0")).isNull();
    }

    @Test
    void badRulesAreReportedByField() {
        assertThatThrownBy(() -> loader.parse("c.yaml", """
                autoAttach:
                  - {match: "vm-[", vlan: {mode: access, tag: 10}}
                  - {match: "vm *"}
                  - {vlan: {mode: access, tag: 10}}
                  - {match: "ok-*", vlan: {mode: access, tag: 5000}}
                  - {match: "ok-*", vlan: {mode: sideways}}
                  - {match: "[z-a]"}
                """))
                .hasMessageContaining("autoAttach[0].match: 'vm-[' is not a glob: '[' at 3 has no closing ']'")
                .hasMessageContaining("autoAttach[1].match: 'vm *' is not a glob: ' ' at 2 cannot be in an interface name")
                .hasMessageContaining("autoAttach[2].match: is required")
                .hasMessageContaining("autoAttach[3].vlan.tag: must be a VLAN ID in 1-4094, was 5000")
                .hasMessageContaining("autoAttach[4].vlan.mode:")
                .hasMessageContaining("autoAttach[5].match: '[z-a]' is not a glob: range z-a at 0 is backwards");
    }

    @Test
    void unknownFieldsOfARuleAreRejected() {
        assertThatThrownBy(() -> loader.parse("c.yaml", "autoAttach:\n  - {match: \"vm-*\", vlna: {}}\n"))
                .hasMessageContaining("autoAttach[0].vlna");
    }
}
