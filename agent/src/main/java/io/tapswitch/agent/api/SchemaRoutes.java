package io.tapswitch.agent.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code /api/v1/schemas/lab.json} and {@code /api/v1/schemas/config.json}: the JSON Schemas of lab
 * files and of the agent's configuration, so that an editor can validate a file as it is typed
 * against the schema of the very agent that will read it.
 *
 * <p>The documents are the repository's {@code vm-configs/*.schema.json}, copied into the jar at build
 * time; the repository keeps one copy. They are mounted ahead of the bearer-token check on purpose:
 * they describe file formats and hold nothing about this switch, like the console's static files,
 * and an editor fetching a {@code $schema} URL cannot present a token.
 */
final class SchemaRoutes {
    /** The schema documents' media type (draft 2020-12, section 13). */
    static final String MEDIA_TYPE = "application/schema+json";
    static final String RESOURCE_DIR = "schemas/";

    void mount(Router router) {
        serve(router, "lab");
        serve(router, "config");
    }

    private static void serve(Router router, String name) {
        Buffer doc = load(name);
        router.get("/api/v1/schemas/" + name + ".json").handler(ctx ->
                ctx.response().putHeader("Content-Type", MEDIA_TYPE).end(doc));
    }

    /** The schema {@code name} ({@code lab} or {@code config}) as the agent serves it. */
    static Buffer load(String name) {
        String resource = RESOURCE_DIR + name + ".schema.json";
        try (InputStream in = SchemaRoutes.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the agent's classpath (copied from vm-configs/ at build time)");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
