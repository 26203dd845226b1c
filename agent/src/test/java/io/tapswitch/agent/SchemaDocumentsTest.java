package io.tapswitch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema documents themselves: draft 2020-12, every property titled and described (editors show
 * both on hover and in completion), every object closed as the Java readers are (they fail on
 * unknown fields), and the impairment shared by both files written identically in each.
 */
class SchemaDocumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode doc(String name) throws Exception {
        return JSON.readTree(JsonSchemas.read(JsonSchemas.DIR.resolve(name + ".schema.json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lab", "config"})
    void everyPropertyHasATitleAndADescriptionAndEveryObjectIsClosed(String name) throws Exception {
        JsonNode doc = doc(name);
        assertThat(doc.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        JsonSchemas.parse(doc.toString());
        List<String> untitled = new ArrayList<>();
        List<String> open = new ArrayList<>();
        walk(doc, "", untitled, open);
        assertThat(untitled).as("properties without title or description").isEmpty();
        assertThat(open).as("objects that would accept unknown fields").isEmpty();
    }

    @org.junit.jupiter.api.Test
    void bothFilesDescribeImpairmentsAlike() throws Exception {
        for (String def : new String[] {"impair", "impairDirection"}) {
            assertThat(doc("config").path("$defs").path(def)).as(def).isEqualTo(doc("lab").path("$defs").path(def));
        }
    }

    private static void walk(JsonNode node, String at, List<String> untitled, List<String> open) {
        if (!node.isObject()) {
            return;
        }
        if ("object".equals(node.path("type").asText()) && !node.has("additionalProperties")) {
            open.add(at);
        }
        JsonNode props = node.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode s = p.getValue();
            boolean constraintOnly = !node.has("type") && !node.has("title");
            if (!constraintOnly && (!s.hasNonNull("title") || !s.hasNonNull("description"))) {
                untitled.add(at + "/properties/" + p.getKey());
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> child = it.next();
            JsonNode v = child.getValue();
            if (v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    walk(v.get(i), at + "/" + child.getKey() + "/" + i, untitled, open);
                }
            } else {
                walk(v, at + "/" + child.getKey(), untitled, open);
            }
        }
    }
}
