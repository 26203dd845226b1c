package io.tapswitch.agent.api;

import io.tapswitch.agent.JsonSchemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent serves the repository's JSON Schemas, byte for byte, without a token (an editor fetching
 * a {@code $schema} URL cannot send one), while everything else under {@code /api} still needs it.
 */
class SchemaRoutesTest {
    private static final String TOKEN = "0123456789abcdef-schemas";

    @TempDir
    Path dir;

    @Test
    void bothSchemasAreTheRepositorysFilesAndNeedNoToken() throws Exception {
        try (RunningAgent a = RunningAgent.start(dir, "name: schemas\nhttp: {port: 0, token: " + TOKEN + "}\n")) {
            Http anonymous = new Http(a.agent.apiUrl() + "/api/v1");
            for (String name : new String[] {"lab", "config"}) {
                Http.Reply reply = anonymous.get("/schemas/" + name + ".json");
                assertThat(reply.status()).as(name).isEqualTo(200);
                assertThat(reply.header("Content-Type")).isEqualTo("application/schema+json");
                String repo = JsonSchemas.read(JsonSchemas.DIR.resolve(name + ".schema.json"));
                assertThat(reply.raw().body()).as("the served %s schema is vm-configs/%s.schema.json", name, name).isEqualTo(repo);
                assertThat(reply.json().path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
                JsonSchemas.parse(reply.raw().body());
            }
            JsonSchemas served = JsonSchemas.parse(anonymous.get("/schemas/lab.json").raw().body());
            assertThat(served.errors(JsonSchemas.read(JsonSchemas.DIR.resolve("two-vms.yaml")))).isEmpty();
            assertThat(served.fields("name: x\nvms: [{name: vm1, nics: [{port: p, mac: \"52:54:00:00:00:01\", vlan: 4095}]}]\n"))
                    .containsExactly("vms[0].nics[0].vlan");

            assertThat(anonymous.get("/switch").status()).as("the rest of the API keeps its token").isEqualTo(401);
            assertThat(anonymous.get("/schemas/other.json").status()).as("only the two schemas are public").isEqualTo(401);
            assertThat(new Http(a.agent.apiUrl() + "/api/v1", TOKEN).get("/schemas/other.json").status()).isEqualTo(404);
        }
    }
}
