package io.tapswitch.agent.api;

import io.tapswitch.agent.config.FieldError;

import java.util.List;

/**
 * The body of every error response: {@code {"errors":[{"field":"...","reason":"..."}]}}. The field
 * is a path into the request ({@code vlan.tag}), a query or path parameter, a header, or empty when
 * the request as a whole is at fault.
 */
public record ApiError(List<FieldError> errors) {
    public static ApiError of(String field, String reason) {
        return new ApiError(List.of(new FieldError(field, reason)));
    }
}
