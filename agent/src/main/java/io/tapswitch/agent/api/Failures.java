package io.tapswitch.agent.api;

import io.tapswitch.agent.state.ConflictException;
import io.tapswitch.agent.state.InvalidRequestException;
import io.tapswitch.agent.state.NotFoundException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failed request into a status and an {@link ApiError} body: the control plane's
 * exceptions map to 400, 404 and 409, the router's own refusals (no route, wrong method, body too
 * large, no token) keep their status, and anything else is a 500 whose details go to the log.
 */
final class Failures implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

    @Override
    public void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        int status;
        ApiError body;
        if (failure instanceof InvalidRequestException e) {
            status = 400;
            body = new ApiError(e.errors());
        } else if (failure instanceof NotFoundException e) {
            status = 404;
            body = ApiError.of("", e.getMessage());
        } else if (failure instanceof ConflictException e) {
            status = 409;
            body = ApiError.of("", e.getMessage());
        } else if (failure != null) {
            status = 500;
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
            body = ApiError.of("", "internal error: " + failure.getMessage());
        } else {
            status = ctx.statusCode() < 0 ? 500 : ctx.statusCode();
            body = ApiError.of("", reason(status, ctx));
        }
        send(ctx, status, body);
    }

    static void send(RoutingContext ctx, int status, ApiError body) {
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(ApiJson.write(body));
    }

    static String reason(int status, RoutingContext ctx) {
        return switch (status) {
            case 401 -> "a bearer token is required (Authorization: Bearer TOKEN)";
            case 404 -> "no such resource: " + ctx.request().path();
            case 405 -> "method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
            case 413 -> "request body larger than " + ApiServer.DEFAULT_BODY_LIMIT + " bytes";
            default -> "request failed with status " + status;
        };
    }
}
