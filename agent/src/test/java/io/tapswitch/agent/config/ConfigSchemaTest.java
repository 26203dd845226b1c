package io.tapswitch.agent.config;

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

/**
 * {@code vm-configs/config.schema.json} and {@link ConfigLoader} ({@link ConfigValidator},
 * {@link FabricValidator}) agree: every shipped configuration passes both, and every file of
 * {@code bad-configs/} fails both, each naming the field its {@code # field:} line gives.
 *
 * <p>What the schema cannot say is left to the Java side alone, and so kept out of the corpus
 * (examples in {@code java-only-configs/}):
 * uniqueness across items (port, mirror and static VTEP names, mirror outputs, static entries per
 * VLAN, VNIs in {@code vniMap}), references (ports a mirror or static entry names, VNIs a static VTEP
 * serves that must map to a VLAN), {@code datapath.threads} up to the processors of the machine the
 * agent runs on, {@code eventBusPort} differing from {@code port}, a mirror's "exactly one of
 * outputPort and outputVlan" and "select something" (reported against {@code output} and
 * {@code select}, which are not fields), the bracket syntax of an auto-attach glob, reversed VLAN
 * ranges ({@code 20-10}), a socket path's length in bytes rather than characters, and {@code kind:
 * vtep}, which Java reports twice (no hand-made vtep port, and no remote). The schema is stricter in
 * one way: it wants numbers as numbers where Jackson would also take {@code "10"}.
 *
 * <p>{@code bad-configs-new/} holds cases of {@code ports[].impair} (LAB-SPEC.md). The schema side is
 * always checked; the Java side as soon as {@link PortSpec} has the component.
 */
class ConfigSchemaTest {
    private static final JsonSchemas SCHEMA = JsonSchemas.of("config");
    private static final SchemaAgreement AGREEMENT = new SchemaAgreement(SCHEMA, "ConfigLoader",
            ConfigSchemaTest::javaFields, (text, expected) -> SCHEMA.fields(text));
    private static final Path RESOURCES = Path.of("src", "test", "resources");
    /** The configuration the Debian package installs as /etc/tapswitch/switch.yaml. */
    static final Path PACKAGED = Path.of("..", "dist", "src", "deb", "etc", "switch.yaml");

    static List<Path> badConfigs() {
        return JsonSchemas.yamlFiles(RESOURCES.resolve("bad-configs"));
    }

    static List<Path> badNewConfigs() {
        return JsonSchemas.yamlFiles(RESOURCES.resolve("bad-configs-new"));
    }

    @Test
    void thePackagedConfigPassesBoth() throws Exception {
        String text = JsonSchemas.read(PACKAGED);
        assertThat(text).as("editors find the installed schema through the first line")
                .startsWith("# yaml-language-server: $schema=/usr/share/tapswitch/config.schema.json\n");
        new ConfigLoader().load(PACKAGED);
        assertThat(SCHEMA.errors(text)).isEmpty();
    }

    /** A configuration using every section passes both, so the schema is not stricter than Java on good files. */
    @Test
    void aConfigWithEverySectionPassesBoth() throws Exception {
        String text = JsonSchemas.read(RESOURCES.resolve("good-configs/every-section.yaml"));
        new ConfigLoader().parse("every-section.yaml", text);
        assertThat(SCHEMA.errors(text)).isEmpty();
    }

    /** What the agent writes back to its file is valid by the schema too. */
    @Test
    void whatTheAgentWritesPassesTheSchema() throws Exception {
        ConfigLoader loader = new ConfigLoader();
        AgentConfig config = loader.parse("every-section.yaml", JsonSchemas.read(RESOURCES.resolve("good-configs/every-section.yaml")));
        assertThat(SCHEMA.errors(loader.toYaml(config))).isEmpty();
    }

    @Test
    void theCorpusIsThere() {
        assertThat(badConfigs()).hasSizeGreaterThanOrEqualTo(20);
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badConfigsFailBothOnTheSameField(Path file) {
        AGREEMENT.bothReject(file);
    }

    static List<Path> javaOnlyConfigs() {
        return JsonSchemas.yamlFiles(RESOURCES.resolve("java-only-configs"));
    }

    /**
     * The exclusion list, kept as files: Java refuses each naming its field, the schema cannot (each
     * file's {@code # schema cannot:} line says why). A schema that learns to refuse one fails here,
     * and the file then belongs in {@code bad-configs/}.
     */
    @ParameterizedTest
    @MethodSource("javaOnlyConfigs")
    void whatOnlyJavaCanSee(Path file) {
        AGREEMENT.onlyJavaRejects(file);
    }

    @ParameterizedTest
    @MethodSource("badNewConfigs")
    void badImpairmentsFailTheSchemaOnTheirField(Path file) {
        AGREEMENT.schemaRejectsThenJava(file, field ->
                SchemaAgreement.hasComponent(PortSpec.class, "impair") ? null : "PortSpec has no impair yet (issue 18)");
    }

    private static Set<String> javaFields(Path file, String text) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader().parse(file.toString(), text));
        assertThat(e).as(file + " must be rejected by ConfigLoader").isNotNull();
        Set<String> fields = new TreeSet<>();
        e.errors().forEach(f -> fields.add(f.field()));
        return fields;
    }
}
