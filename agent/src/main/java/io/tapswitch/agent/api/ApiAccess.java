package io.tapswitch.agent.api;

import io.tapswitch.agent.config.HttpSpec;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Who may use the API: anyone on this host when it listens on loopback with no token configured;
 * otherwise only callers presenting the bearer token.
 *
 * @param token     the token callers must present, or null when none is needed
 * @param generated whether the token was made up at startup (and so must be shown to the operator)
 */
public record ApiAccess(String token, boolean generated) {
    /** 32 random bytes: guessing is hopeless, and it still fits on a command line. */
    public static final int GENERATED_TOKEN_BYTES = 32;

    public static ApiAccess of(HttpSpec http) {
        if (http.token() != null) {
            return new ApiAccess(http.token(), false);
        }
        if (http.loopbackOnly()) {
            return new ApiAccess(null, false);
        }
        byte[] random = new byte[GENERATED_TOKEN_BYTES];
        new SecureRandom().nextBytes(random);
        return new ApiAccess(Base64.getUrlEncoder().withoutPadding().encodeToString(random), true);
    }

    public boolean required() {
        return token != null;
    }

    @Override
    public String toString() {
        return "ApiAccess[token=" + (token == null ? "none" : "***") + ", generated=" + generated + "]";
    }
}
