package io.tapswitch.core.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps of one forwarding decision, in words, as {@link Forwarding} takes them. Passed only when
 * someone asks ("where would this frame go and why", {@link Switch#trace}); the frame path passes
 * null and pays nothing.
 */
final class Trace {
    private final List<String> steps = new ArrayList<>();

    void step(String text) {
        steps.add(text);
    }

    List<String> steps() {
        return List.copyOf(steps);
    }

    @Override
    public String toString() {
        return String.join("\n", steps);
    }
}
