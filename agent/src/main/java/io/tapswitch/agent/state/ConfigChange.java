package io.tapswitch.agent.state;

/**
 * A committed change as the event stream announces it: the revision it produced and what it was.
 *
 * @param revision the configuration revision after the change
 * @param summary  for example {@code "port tsapi1 added"}
 */
public record ConfigChange(long revision, String summary) {
}
