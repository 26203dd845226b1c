package io.tapswitch.agent.api;

import io.tapswitch.agent.state.InvalidRequestException;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** Small shared pieces of request handling: JSON replies, revisions, query parameters, workers. */
final class Replies {
    private Replies() {
    }

    static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(ApiJson.write(body));
    }

    static void noContent(RoutingContext ctx) {
        ctx.response().setStatusCode(204).end();
    }

    /** Sets the {@code ETag} that clients send back in {@code If-Match} to make a change conditional. */
    static void revision(RoutingContext ctx, long revision) {
        ctx.response().putHeader("ETag", "\"" + revision + "\"");
    }

    /**
     * The revision in {@code If-Match}, or null when absent or {@code *}. Quotes and a weak prefix
     * are accepted, since clients copy the ETag as they got it.
     */
    static Long ifMatch(RoutingContext ctx) {
        String header = ctx.request().getHeader("If-Match");
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        String v = header.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("If-Match", "must be a revision number like \"12\", was " + header);
        }
    }

    /** A single-valued query parameter, or null. */
    static String query(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new InvalidRequestException(name, "give at most one value");
        }
        return values.get(0);
    }

    /** An integer parameter within bounds, or {@code absent}. */
    static int integer(String field, String text, int min, int max, int absent) {
        if (text == null) {
            return absent;
        }
        try {
            int v = Integer.parseInt(text);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new InvalidRequestException(field, "must be an integer from " + min + " to " + max + ", was '" + text + "'");
    }

    /**
     * Runs {@code work} on a worker thread (it may open devices or fsync files) and hands the result
     * to {@code reply} back on the request's event loop; failures go to the failure handler.
     */
    static <T> void blocking(Vertx vertx, RoutingContext ctx, Callable<T> work, Consumer<T> reply) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                reply.accept(ar.result());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }
}
