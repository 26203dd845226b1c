package io.tapswitch.agent.vm;

import java.util.List;

/**
 * Thrown when a lab file cannot be read or violates a rule.
 *
 * <p>It carries every problem found rather than the first one, each prefixed
 * with the path of the offending field (for example
 * {@code vms[1].nics[0].port}), so a user can fix a file in one pass.
 */
public final class InvalidLabException extends RuntimeException {
    private final List<String> problems;

    public InvalidLabException(String source, List<String> problems) {
        super(source + ": invalid lab file:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidLabException(String source, String problem, Throwable cause) {
        super(source + ": invalid lab file: " + problem, cause);
        this.problems = List.of(problem);
    }

    /** The individual problems, each starting with the field path it concerns. */
    public List<String> problems() {
        return problems;
    }
}
