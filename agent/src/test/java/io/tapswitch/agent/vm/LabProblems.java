package io.tapswitch.agent.vm;

import java.nio.file.Path;
import java.util.List;

/**
 * The problems a lab file is refused with, for tests that check each rule by the field path its
 * problem starts with; a lab that is accepted fails the test, showing the text that should not have been.
 */
final class LabProblems {
    private LabProblems() {
    }

    /** The problems of parsing {@code yaml} as the file {@code fileName} in {@code base}. */
    static List<String> of(String yaml, Path base, String fileName) {
        try {
            LabFile.parse(yaml, base, fileName);
        } catch (InvalidLabException e) {
            return e.problems();
        }
        throw new AssertionError("expected the lab to be rejected:\n" + yaml);
    }
}
