package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;

/**
 * The configuration in force and its number, published together so that a reader never pairs
 * one revision's number with another revision's content (an {@code ETag} with a body, say).
 *
 * @param number   starts at 1 when the agent starts and grows by one per committed change
 * @param config   the running configuration, lab ports included
 * @param transientPorts which of its ports belong to VM labs or tunnels and are not persisted
 */
public record Revision(long number, AgentConfig config, TransientPorts transientPorts) {
}
