package io.tapswitch.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's JSON Schemas ({@code vm-configs/*.schema.json}) as a test sees them, and the field
 * paths their errors name, spelled the way the Java validators spell theirs ({@code vms[0].nics[0].vlan}).
 *
 * <p>A YAML document is read with the agent's own YAML reader (Jackson 2) and handed to the
 * validator as JSON, so that the schema judges the very tree the Java side reads, not another
 * YAML dialect's idea of it.
 */
public final class JsonSchemas {
    /** The repository's schema directory; tests run in the agent module. */
    public static final Path DIR = Path.of("..", "vm-configs");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Keywords whose error stands at the object but concerns one of its properties. */
    private static final Set<String> AT_PROPERTY = Set.of("required", "additionalProperties", "dependentRequired", "unevaluatedProperties");
    private static final Pattern FIELD = Pattern.compile("(?m)^# field: (\\S+)\\s*$");

    private final Schema schema;

    private JsonSchemas(Schema schema) {
        this.schema = schema;
    }

    /** The schema {@code vm-configs/NAME.schema.json}. */
    public static JsonSchemas of(String name) {
        return parse(read(DIR.resolve(name + ".schema.json")));
    }

    /** A schema from its text; fails when it is not a draft 2020-12 schema the validator accepts. */
    public static JsonSchemas parse(String json) {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Schema schema = registry.getSchema(json, InputFormat.JSON);
        schema.initializeValidators();
        return new JsonSchemas(schema);
    }

    /** The schema's errors for YAML document {@code yaml}. */
    public List<Error> errors(String yaml) {
        try {
            return schema.validate(YAML.readTree(yaml).toString(), InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fields the errors for {@code yaml} name, as Java paths. */
    public Set<String> fields(String yaml) {
        Set<String> fields = new TreeSet<>();
        errors(yaml).forEach(e -> fields.add(field(e)));
        return fields;
    }

    /**
     * The field an error concerns, as a Java path: the instance location ({@code /vms/0/nics/0/vlan}
     * becomes {@code vms[0].nics[0].vlan}), plus the property for a missing or unknown one.
     */
    public static String field(Error e) {
        StringBuilder sb = new StringBuilder();
        NodePath at = e.getInstanceLocation();
        for (int i = 0; i < at.getNameCount(); i++) {
            Object element = at.getElement(i);
            if (element instanceof Integer index) {
                sb.append('[').append(index).append(']');
            } else {
                dot(sb).append(element);
            }
        }
        if (AT_PROPERTY.contains(e.getKeyword()) && e.getProperty() != null) {
            dot(sb).append(e.getProperty());
        }
        return sb.toString();
    }

    private static StringBuilder dot(StringBuilder sb) {
        return sb.isEmpty() ? sb : sb.append('.');
    }

    /** The field a bad file's {@code # field: PATH} line says both sides must name. */
    public static String expectedField(Path file, String text) {
        Matcher m = FIELD.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(file + " has no '# field: PATH' line");
        }
        return m.group(1);
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The YAML files in {@code dir}, sorted. */
    public static List<Path> yamlFiles(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
