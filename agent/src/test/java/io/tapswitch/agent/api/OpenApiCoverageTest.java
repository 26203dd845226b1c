package io.tapswitch.agent.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document and the router describe the same API: every route documented, nothing extra. */
class OpenApiCoverageTest {
    private static final String BASE = "/api/v1";
    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @TempDir
    Path dir;

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() throws Exception {
        Set<String> routed = new TreeSet<>();
        try (RunningAgent a = RunningAgent.start(dir, RunningAgent.emptyConfig())) {
            for (Route route : a.agent.api().router().getRoutes()) {
                String path = route.getPath();
                if (path == null || !path.startsWith(BASE + "/") || route.methods() == null || route.methods().isEmpty()) {
                    continue;
                }
                String templated = path.substring(BASE.length()).replaceAll(":([A-Za-z]+)", "{$1}");
                for (HttpMethod m : route.methods()) {
                    routed.add(m.name().toLowerCase(Locale.ROOT) + " " + templated);
                }
            }
        }
        JsonNode doc = Http.JSON.readTree(ApiServer.openApi().getBytes());
        Set<String> documented = new TreeSet<>();
        for (Iterator<String> paths = doc.path("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> ops = doc.path("paths").path(path).fieldNames(); ops.hasNext(); ) {
                String op = ops.next();
                if (OPERATIONS.contains(op)) {
                    documented.add(op + " " + path);
                }
            }
        }
        assertThat(routed).hasSizeGreaterThan(20);
        assertThat(documented).isEqualTo(routed);
    }

    @Test
    void everyReferenceResolves() throws Exception {
        JsonNode doc = Http.JSON.readTree(ApiServer.openApi().getBytes());
        assertThat(doc.path("openapi").asText()).isEqualTo("3.0.3");
        doc.findValuesAsText("$ref").forEach(ref -> {
            JsonNode target = doc;
            for (String part : ref.substring(2).split("/")) {
                target = target.path(part);
            }
            assertThat(target.isMissingNode()).as(ref).isFalse();
        });
    }
}
