package io.tapswitch.agent.state;

/**
 * What a committed change produced, with the state it produced: taken in the same step as the
 * commit, so that another change committed a moment later can never slip its number in between
 * (an API reply's {@code ETag} names the state the reply describes).
 *
 * @param value the change's result, such as the port as stored; null for removals
 * @param state the configuration and its revision right after the change
 */
public record Committed<T>(T value, Revision state) {
    /** The configuration revision after the change. */
    public long revision() {
        return state.number();
    }
}
