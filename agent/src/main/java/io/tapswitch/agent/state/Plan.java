package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;

/**
 * What a checked {@link Change} will do: the configuration it leads to, how to apply it to the
 * running switch, how to take it back, and what to answer. Produced by {@link Change#plan} before
 * anything is touched, so a change that may not be made is refused with nothing to undo.
 *
 * @param next     the configuration once the change is made
 * @param transientPorts which ports are not persisted, and their owners, once the change is made
 * @param summary  the change in words, for the event stream and logs
 * @param apply    makes the change on the running switch; may throw a {@link ConflictException}
 *                 (a device that cannot be opened), having left the switch as it was
 * @param undo     takes an applied change back, when the configuration cannot be persisted
 * @param result   what the caller is answered
 */
public record Plan<T>(AgentConfig next, TransientPorts transientPorts, String summary, Runnable apply, Runnable undo, T result) {
}
