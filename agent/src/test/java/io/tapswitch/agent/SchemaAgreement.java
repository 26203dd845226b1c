package io.tapswitch.agent;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One JSON Schema and the Java validator of the same documents, judged file by file on a corpus
 * whose files each name, in a {@code # field:} line, the field both must refuse. The configuration
 * and the lab file are checked this same way, so the checks live here once and each schema test
 * only says how its Java side reports the fields it refuses.
 */
public final class SchemaAgreement {
    /** The fields the Java validator names when it refuses {@code text}; fails the test when it accepts it. */
    @FunctionalInterface
    public interface JavaFields {
        Set<String> of(Path file, String text);
    }

    private final JsonSchemas schema;
    private final String validator;
    private final JavaFields javaFields;
    private final BiFunction<String, String, Set<String>> schemaFields;

    /**
     * @param validator    the Java side's name, for failure messages
     * @param schemaFields the schema's fields for a text, given the field expected (a schema may
     *                     name a nearby field that means the same, which the test maps back)
     */
    public SchemaAgreement(JsonSchemas schema, String validator, JavaFields javaFields,
                           BiFunction<String, String, Set<String>> schemaFields) {
        this.schema = schema;
        this.validator = validator;
        this.javaFields = javaFields;
        this.schemaFields = schemaFields;
    }

    /** Both sides refuse {@code file}, each naming only its expected field. */
    public void bothReject(Path file) {
        String text = JsonSchemas.read(file);
        String field = JsonSchemas.expectedField(file, text);
        assertThat(javaFields.of(file, text)).as(file + ": " + validator).containsExactly(field);
        assertThat(schemaFields.apply(text, field)).as(file + ": " + schema.errors(text)).containsExactly(field);
    }

    /**
     * Java refuses {@code file} naming its expected field and the schema, which cannot see that
     * rule, accepts it; a schema that learns the rule fails here and the file moves to the corpus.
     */
    public void onlyJavaRejects(Path file) {
        String text = JsonSchemas.read(file);
        assertThat(javaFields.of(file, text)).as(file + ": " + validator).containsExactly(JsonSchemas.expectedField(file, text));
        assertThat(schema.errors(text)).as(file.toString()).isEmpty();
    }

    /**
     * The schema refuses {@code file} naming its expected field, and Java must too once it knows
     * the field: until then {@code javaLacks} names what it lacks for the field (null once nothing)
     * and the Java half is skipped, so the test wires itself up when that lands.
     */
    public void schemaRejectsThenJava(Path file, Function<String, String> javaLacks) {
        String text = JsonSchemas.read(file);
        String field = JsonSchemas.expectedField(file, text);
        assertThat(schemaFields.apply(text, field)).as(file + ": " + schema.errors(text)).containsExactly(field);
        String lacking = javaLacks.apply(field);
        assumeTrue(lacking == null, lacking + ": the Java side of " + file + " waits for it");
        assertThat(javaFields.of(file, text)).as(file + ": " + validator).containsExactly(field);
    }

    /** Whether record {@code type} has the component {@code name}, i.e. the Java side knows the field yet. */
    public static boolean hasComponent(Class<? extends Record> type, String name) {
        return Arrays.stream(type.getRecordComponents()).anyMatch(c -> c.getName().equals(name));
    }
}
