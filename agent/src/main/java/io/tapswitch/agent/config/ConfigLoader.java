package io.tapswitch.agent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads and validates the agent's configuration (YAML, or JSON which is YAML too).
 *
 * <p>Unknown fields are errors rather than silently ignored: a misspelt {@code agingSecond} must
 * not leave a user wondering why the default applies. Every problem is reported with its field path.
 */
public final class ConfigLoader {
    private final ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    public AgentConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(new FieldError("", "file does not exist")));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new FieldError("", "cannot read: " + e.getMessage())));
        }
        return parse(file.toString(), text);
    }

    public AgentConfig parse(String source, String text) throws ConfigException {
        AgentConfig config;
        try {
            config = mapper.readValue(text, AgentConfig.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of(MappingErrors.of(e)));
        }
        if (config == null) {
            throw new ConfigException(source, List.of(new FieldError("", "the document is empty")));
        }
        List<FieldError> errors = validate(config);
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
        return config;
    }

    /** Checks ranges, names, references and uniqueness; returns every problem found. */
    public static List<FieldError> validate(AgentConfig config) {
        return ConfigValidator.validate(config);
    }

    /** Writes a config as YAML, the form in which the agent persists changes. */
    public String toYaml(AgentConfig config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
