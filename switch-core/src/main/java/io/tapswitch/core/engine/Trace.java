package io.tapswitch.core.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps of one forwarding decision, in words. Passed only when someone asks ("where would this
 * frame go and why"); the frame path passes null and pays nothing.
 */
public final class Trace {
    private final List<String> steps = new ArrayList<>();

    void step(String text) {
        steps.add(text);
    }

    public List<String> steps() {
        return List.copyOf(steps);
    }

    @Override
    public String toString() {
        return String.join("\n", steps);
    }
}
