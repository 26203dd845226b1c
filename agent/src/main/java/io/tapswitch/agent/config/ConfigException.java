package io.tapswitch.agent.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found: where (file and field path) and
 * why. Loading never half-applies a configuration, so this is thrown before anything changes.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<FieldError> errors;

    public ConfigException(String source, List<FieldError> errors) {
        super(format(source, errors));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    private static String format(String source, List<FieldError> errors) {
        StringBuilder sb = new StringBuilder();
        for (FieldError e : errors) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(source).append(": ").append(e.field().isEmpty() ? "(document)" : e.field()).append(": ").append(e.reason());
        }
        return sb.toString();
    }
}
