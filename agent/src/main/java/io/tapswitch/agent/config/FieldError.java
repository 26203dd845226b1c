package io.tapswitch.agent.config;

/** One invalid field: its path in the document (like {@code ports[1].name}) and what is wrong. */
public record FieldError(String field, String reason) {
}
