package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A failed {@code ctl} request, with a message fit to print as is. */
public final class CtlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CtlException(String message) {
        super(message);
    }

    /** Lists the API's {@code errors[]} one per line: {@code field: reason}. */
    static CtlException fromResponse(int status, JsonNode body) {
        StringBuilder sb = new StringBuilder("HTTP " + status);
        JsonNode errors = body.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            for (JsonNode e : errors) {
                String field = e.path("field").asText("");
                sb.append("\n  ").append(field.isEmpty() ? "" : field + ": ").append(e.path("reason").asText());
            }
        } else if (!body.isNull()) {
            sb.append(": ").append(body.asText(body.toString()));
        }
        return new CtlException(sb.toString());
    }
}
