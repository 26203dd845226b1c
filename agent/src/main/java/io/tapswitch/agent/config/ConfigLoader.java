package io.tapswitch.agent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.sys.NetDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
        } catch (JsonMappingException e) {
            throw new ConfigException(source, List.of(new FieldError(path(e), reason(e))));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(source, List.of(new FieldError("", "not valid YAML/JSON" + where + ": "
                    + e.getOriginalMessage())));
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

    /** Checks ranges, names and uniqueness; returns every problem found. */
    public static List<FieldError> validate(AgentConfig config) {
        List<FieldError> errors = new ArrayList<>();
        if (config.name().isBlank() || config.name().length() > 64) {
            errors.add(new FieldError("name", "must be 1 to 64 characters"));
        }
        if (config.macTableSize() < 16 || config.macTableSize() > 1_000_000) {
            errors.add(new FieldError("macTableSize", "must be between 16 and 1000000, was " + config.macTableSize()));
        }
        long agingMin = MacTable.MIN_AGING_MILLIS / 1000;
        long agingMax = MacTable.MAX_AGING_MILLIS / 1000;
        if (config.agingSeconds() < agingMin || config.agingSeconds() > agingMax) {
            errors.add(new FieldError("agingSeconds", "must be between " + agingMin + " and " + agingMax + ", was "
                    + config.agingSeconds()));
        }
        if (config.ports().size() > MacTable.MAX_PORTS) {
            errors.add(new FieldError("ports", "at most " + MacTable.MAX_PORTS + " ports"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.ports().size(); i++) {
            PortSpec port = config.ports().get(i);
            String field = "ports[" + i + "]";
            if (port == null) {
                errors.add(new FieldError(field, "must not be null"));
                continue;
            }
            if (port.name() == null) {
                errors.add(new FieldError(field + ".name", "is required"));
                continue;
            }
            try {
                NetDevice.checkName(port.name());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(field + ".name", e.getMessage()));
            }
            if (!names.add(port.name())) {
                errors.add(new FieldError(field + ".name", "duplicate port name '" + port.name() + "'"));
            }
            if (port.kind() == PortSpec.PortKindSpec.NETDEV && port.create() == PortSpec.CreateMode.CREATE) {
                errors.add(new FieldError(field + ".create", "a netdev port attaches to an existing interface"));
            }
        }
        return errors;
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

    /** Writes a config as YAML, for the demo and, later, for persistence. */
    public String toYaml(AgentConfig config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
