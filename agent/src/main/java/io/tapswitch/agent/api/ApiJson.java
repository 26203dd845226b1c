package io.tapswitch.agent.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.tapswitch.agent.config.MappingErrors;
import io.tapswitch.agent.state.InvalidRequestException;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * JSON in and out of the API, strict on the way in: unknown fields, nulls for required numbers,
 * numbers given as strings or fractions, scalars of the wrong type where a string is expected, and
 * trailing garbage are all rejected with the field's path, so that a typo is an error rather than a silently ignored setting.
 */
public final class ApiJson {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // A number or a boolean where a string is expected ({"name": 12}) is a type error too,
            // not the name "12": Jackson reads scalars into strings unless told otherwise.
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private ApiJson() {
    }

    /**
     * Parses a request body.
     *
     * @throws InvalidRequestException when it is missing, malformed or does not fit {@code type}
     */
    public static <T> T read(Buffer body, Class<T> type) {
        if (body == null || body.length() == 0) {
            throw new InvalidRequestException("", "a JSON body is required");
        }
        T value;
        try {
            value = MAPPER.readValue(body.getBytes(), type);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(List.of(MappingErrors.of(e)));
        } catch (java.io.IOException e) {
            throw new InvalidRequestException("", e.getMessage());
        }
        if (value == null) {
            throw new InvalidRequestException("", "a JSON object is required");
        }
        return value;
    }

    public static Buffer write(Object value) {
        try {
            return Buffer.buffer(MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }
}
