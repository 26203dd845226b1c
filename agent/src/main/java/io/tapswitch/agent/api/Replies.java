package io.tapswitch.agent.api;

import io.tapswitch.agent.config.FieldError;
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

    /** A 204 for a change that left nothing to show, with the revision it produced as the {@code ETag}. */
    static void noContent(RoutingContext ctx, long revision) {
        revision(ctx, revision);
        noContent(ctx);
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

    /** Adds an error for every query parameter that is not one of {@code known}. */
    static void onlyKnown(RoutingContext ctx, List<String> known, List<FieldError> errors) {
        for (String param : ctx.queryParams().names()) {
            if (!known.contains(param)) {
                errors.add(new FieldError(param, "unknown parameter; known are "
                        + String.join(", ", known.subList(0, known.size() - 1)) + " and " + known.get(known.size() - 1)));
            }
        }
    }

    /**
     * A single-valued integer query parameter within bounds, {@code absent} when not given; a bad
     * value is added to {@code errors} (so that one answer names every bad parameter).
     */
    static long number(RoutingContext ctx, String field, long min, long max, long absent, List<FieldError> errors) {
        String text = single(ctx, field, errors);
        if (text == null) {
            return absent;
        }
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        errors.add(new FieldError(field, "must be an integer from " + min + " to " + max + ", was '" + text + "'"));
        return absent;
    }

    /** A single-valued boolean query parameter: present bare, {@code true} or {@code 1} mean true. */
    static boolean flag(RoutingContext ctx, String field, List<FieldError> errors) {
        String text = single(ctx, field, errors);
        if (text == null) {
            return false;
        }
        switch (text) {
            case "", "true", "1" -> {
                return true;
            }
            case "false", "0" -> {
                return false;
            }
            default -> {
                errors.add(new FieldError(field, "must be true or false, was '" + text + "'"));
                return false;
            }
        }
    }

    private static String single(RoutingContext ctx, String field, List<FieldError> errors) {
        List<String> values = ctx.queryParam(field);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            errors.add(new FieldError(field, "give at most one value"));
            return null;
        }
        return values.get(0);
    }

    /**
     * Runs {@code work} on a worker thread (it may open devices or fsync files) and hands the result
     * to {@code reply} back on the request's event loop; failures go to the failure handler.
     */
    static <T> void blocking(Vertx vertx, RoutingContext ctx, Callable<T> work, Consumer<T> reply) {
        blocking(vertx, ctx, work, reply, failure -> { });
    }

    /** As {@link #blocking(Vertx, RoutingContext, Callable, Consumer)}, telling {@code failed} first when the work fails. */
    static <T> void blocking(Vertx vertx, RoutingContext ctx, Callable<T> work, Consumer<T> reply, Consumer<Throwable> failed) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                reply.accept(ar.result());
            } else {
                failed.accept(ar.cause());
                ctx.fail(ar.cause());
            }
        });
    }
}
