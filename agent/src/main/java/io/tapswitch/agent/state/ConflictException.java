package io.tapswitch.agent.state;

/**
 * A well-formed change that clashes with the current state (the port exists, a mirror uses it, the
 * caller's revision is stale); the API answers 409 and nothing changed.
 */
public final class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
