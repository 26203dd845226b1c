package io.tapswitch.tests.lab;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rule that decides whether a lab scenario that cannot run is skipped or failed; a wrong
 * answer in CI would let a build pass with no lab scenario run, so every input is pinned down.
 */
class PrerequisitesTest {

    @Test
    void aDevelopersMachineSkips() {
        assertThat(Prerequisites.areRequired(Map.of(), new Properties())).isFalse();
    }

    @Test
    void ciRequiresThem() {
        assertThat(Prerequisites.areRequired(Map.of("CI", "true"), new Properties())).isTrue();
        assertThat(Prerequisites.areRequired(Map.of("CI", "TRUE"), new Properties())).isTrue();
        assertThat(Prerequisites.areRequired(Map.of("CI", "1"), new Properties())).isTrue();
    }

    @Test
    void aCiVariableThatIsNotTrueDoesNotRequireThem() {
        assertThat(Prerequisites.areRequired(Map.of("CI", "false"), new Properties())).isFalse();
        assertThat(Prerequisites.areRequired(Map.of("CI", ""), new Properties())).isFalse();
    }

    @Test
    void thePropertyRequiresThemOutsideCi() {
        assertThat(Prerequisites.areRequired(Map.of(), properties("true"))).isTrue();
    }

    @Test
    void thePropertyOverridesCi() {
        assertThat(Prerequisites.areRequired(Map.of("CI", "true"), properties("false"))).isFalse();
        assertThat(Prerequisites.areRequired(Map.of("CI", "false"), properties("true"))).isTrue();
    }

    @Test
    void aBlankPropertyLeavesTheDecisionToCi() {
        assertThat(Prerequisites.areRequired(Map.of("CI", "true"), properties(" "))).isTrue();
        assertThat(Prerequisites.areRequired(Map.of(), properties(""))).isFalse();
    }

    @Test
    void aMissingPrerequisiteSkipsWhereNotRequired() {
        assertThatThrownBy(() -> Prerequisites.skipOrFail("no engine", false, "CI unset"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("no engine");
    }

    @Test
    void aMissingPrerequisiteFailsWhereRequired() {
        assertThatThrownBy(() -> Prerequisites.skipOrFail("no engine", true, "CI=true"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("no engine")
                .hasMessageContaining("CI=true");
    }

    @Test
    void aPrerequisiteThatIsThereNeitherSkipsNorFails() {
        Prerequisites.require(true, () -> {
            throw new AssertionError("the reason is only built when something is missing");
        });
    }

    private static Properties properties(String requireDocker) {
        Properties properties = new Properties();
        properties.setProperty(Prerequisites.REQUIRE_PROPERTY, requireDocker);
        return properties;
    }
}
