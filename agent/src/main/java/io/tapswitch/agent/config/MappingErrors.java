package io.tapswitch.agent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns Jackson's parse failures into {@link FieldError}s that name the field by its path
 * ({@code ports[1].vlan.tag}), the same way for the configuration file and for API bodies.
 */
public final class MappingErrors {
    private MappingErrors() {
    }

    public static FieldError of(JsonProcessingException e) {
        if (e instanceof JsonMappingException m) {
            return new FieldError(path(m), reason(m));
        }
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
        return new FieldError("", "not valid YAML/JSON" + where + ": " + e.getOriginalMessage());
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String reason(JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "' (known: " + u.getKnownPropertyIds() + ")";
        }
        String msg = e.getOriginalMessage();
        int cut = msg.indexOf(" at [Source");
        return cut > 0 ? msg.substring(0, cut) : msg;
    }
}
