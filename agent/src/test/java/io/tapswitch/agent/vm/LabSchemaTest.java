package io.tapswitch.agent.vm;

import io.tapswitch.agent.JsonSchemas;
import io.tapswitch.agent.SchemaAgreement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vm-configs/lab.schema.json} and {@link LabValidator} (with {@link LabFile}'s parser) agree:
 * every shipped lab passes both, and every file of {@code bad-labs/} fails both, each naming the
 * field its {@code # field:} line gives.
 *
 * <p>What the schema cannot say is left to the Java side alone, and so kept out of the corpus
 * (examples of each are in {@code java-only-labs/}):
 * uniqueness across items (VM names, ports, MACs, mirror and check names, guest subinterface IDs),
 * references (mirror ports and check VMs that must exist), rules over the effective values of
 * {@code guest} and a VM together (a kernel or a disk, an initrd needs a kernel), {@code jitterMs <=
 * delayMs}, an IPv6 address the pattern admits but {@code InetAddress} does not parse, and
 * duplicate YAML keys. The schema is stricter in one way: it wants numbers as numbers where
 * Jackson would also take {@code "10"}.
 *
 * <p>{@code bad-labs-new/} and {@code good-labs-new/} hold the issue 18 fields (LAB-SPEC.md:
 * {@code vms[].host}, {@code nics[].impair}, {@code checks}). Their schema side is always checked;
 * their Java side as soon as {@link LabFile} has the components, so the test wires itself up when
 * those land.
 */
class LabSchemaTest {
    private static final JsonSchemas SCHEMA = JsonSchemas.of("lab");
    private static final SchemaAgreement AGREEMENT = new SchemaAgreement(SCHEMA, "LabValidator",
            LabSchemaTest::javaFields, LabSchemaTest::schemaFields);
    private static final Path RESOURCES = Path.of("src", "test", "resources");

    static List<Path> shippedLabs() {
        return JsonSchemas.yamlFiles(JsonSchemas.DIR);
    }

    static List<Path> badLabs() {
        return JsonSchemas.yamlFiles(RESOURCES.resolve("bad-labs"));
    }

    static List<Path> badNewLabs() {
        return JsonSchemas.yamlFiles(RESOURCES.resolve("bad-labs-new"));
    }

    static List<Path> goodNewLabs() {
        return JsonSchemas.yamlFiles(RESOURCES.resolve("good-labs-new"));
    }

    @Test
    void theCorpusIsThere() {
        assertThat(shippedLabs()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(badLabs()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(badNewLabs()).hasSizeGreaterThanOrEqualTo(20);
    }

    @ParameterizedTest
    @MethodSource("shippedLabs")
    void shippedLabsPassBoth(Path file) {
        String text = JsonSchemas.read(file);
        assertThat(text).as("editors find the schema through the first line").startsWith("# yaml-language-server: $schema=./lab.schema.json\n");
        LabFile.load(file);
        assertThat(SCHEMA.errors(text)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("badLabs")
    void badLabsFailBothOnTheSameField(Path file) {
        AGREEMENT.bothReject(file);
    }

    static List<Path> javaOnlyLabs() {
        return JsonSchemas.yamlFiles(RESOURCES.resolve("java-only-labs"));
    }

    /**
     * The exclusion list, kept as files: Java refuses each naming its field, the schema cannot (each
     * file's {@code # schema cannot:} line says why). A schema that learns to refuse one fails here,
     * and the file then belongs in {@code bad-labs/}.
     */
    @ParameterizedTest
    @MethodSource("javaOnlyLabs")
    void whatOnlyJavaCanSee(Path file) {
        AGREEMENT.onlyJavaRejects(file);
    }

    @ParameterizedTest
    @MethodSource("badNewLabs")
    void badLabsWithTheNewFieldsFailTheSchemaOnTheirField(Path file) {
        AGREEMENT.schemaRejectsThenJava(file, field -> {
            String component = field.startsWith("checks") ? "checks" : field.contains(".impair") ? "impair" : "host";
            return javaHas(component) ? null : "LabFile has no " + component + " yet (issue 18)";
        });
    }

    @ParameterizedTest
    @MethodSource("goodNewLabs")
    void labsWithTheNewFieldsPass(Path file) {
        String text = JsonSchemas.read(file);
        assertThat(SCHEMA.errors(text)).isEmpty();
        for (String component : new String[] {"checks", "impair", "host"}) {
            assumeTrue(!text.contains(component + ":") || javaHas(component),
                    "LabFile has no " + component + " yet (issue 18): the Java side of " + file + " waits for it");
        }
        LabFile.parse(text, Path.of("/labs"), file.toString());
    }

    /** The fields of the Java problems, each {@code "PATH: message"}. */
    private static Set<String> javaFields(Path file, String text) {
        InvalidLabException e = catchThrowableOfType(InvalidLabException.class,
                () -> LabFile.parse(text, Path.of("/labs"), file.toString()));
        assertThat(e).as(file + " must be rejected by LabFile").isNotNull();
        Set<String> fields = new TreeSet<>();
        for (String problem : e.problems()) {
            int colon = problem.indexOf(": ");
            fields.add(colon < 0 ? "" : problem.substring(0, colon));
        }
        return fields;
    }

    /**
     * The schema's fields; a {@code uniqueItems} error stands at the array, which names the
     * repeated item Java names ({@code trunk} for {@code trunk[1]}).
     */
    static Set<String> schemaFields(String text, String expected) {
        Set<String> fields = new TreeSet<>();
        SCHEMA.errors(text).forEach(e -> {
            String f = JsonSchemas.field(e);
            boolean repeatedItem = "uniqueItems".equals(e.getKeyword()) && expected.matches(java.util.regex.Pattern.quote(f) + "\\[\\d+]");
            fields.add(repeatedItem ? expected : f);
        });
        return fields;
    }

    /** Whether LabFile has the issue 18 component {@code checks}, {@code impair} (of a NIC) or {@code host} (of a VM). */
    private static boolean javaHas(String component) {
        return switch (component) {
            case "checks" -> SchemaAgreement.hasComponent(LabFile.class, "checks");
            case "impair" -> SchemaAgreement.hasComponent(LabFile.Nic.class, "impair");
            default -> SchemaAgreement.hasComponent(LabFile.Vm.class, "host");
        };
    }

}
