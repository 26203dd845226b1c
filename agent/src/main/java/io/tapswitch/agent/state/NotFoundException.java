package io.tapswitch.agent.state;

/** A change or query naming a port, mirror or entry that does not exist; the API answers 404. */
public final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
