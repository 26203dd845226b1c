package io.tapswitch.tests.lab;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rule that decides whether a lab scenario that cannot run is skipped or failed; a wrong
 * answer would let the README's test command pass with no lab scenario run, so every input is
 * pinned down.
 */
class PrerequisitesTest {

    @Test
    void theyAreRequiredWithoutBeingAsked() {
        assertThat(Prerequisites.areRequired(new Properties())).isTrue();
    }

    @Test
    void onlyThePropertyWaivesThem() {
        assertThat(Prerequisites.areRequired(properties("false"))).isFalse();
        assertThat(Prerequisites.areRequired(properties("FALSE"))).isFalse();
        assertThat(Prerequisites.areRequired(properties("true"))).isTrue();
    }

    @Test
    void aBlankPropertyLeavesThemRequired() {
        assertThat(Prerequisites.areRequired(properties(" "))).isTrue();
        assertThat(Prerequisites.areRequired(properties(""))).isTrue();
    }

    @Test
    void aMissingPrerequisiteSkipsWhereNotRequired() {
        assertThatThrownBy(() -> Prerequisites.skipOrFail("no engine", false, "tapswitch.requireDocker=false"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("no engine");
    }

    @Test
    void aMissingPrerequisiteFailsWhereRequired() {
        assertThatThrownBy(() -> Prerequisites.skipOrFail("no engine", true, "tapswitch.requireDocker unset"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("no engine")
                .hasMessageContaining("tapswitch.requireDocker unset");
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
