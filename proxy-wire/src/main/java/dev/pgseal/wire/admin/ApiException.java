package dev.pgseal.wire.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the admin API answers with an error status and a JSON body {@code {"error": code,
 * "message": text}}: bad input (400), unknown object (404), a refused lifecycle change (409). The
 * message names the object and says what is allowed; it never holds a secret.
 */
final class ApiException extends RuntimeException {

    private final HttpResponseStatus status;
    private final String code;

    ApiException(HttpResponseStatus status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static ApiException badRequest(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, "bad_request", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(HttpResponseStatus.NOT_FOUND, "not_found", message);
    }

    static ApiException conflict(String message) {
        return new ApiException(HttpResponseStatus.CONFLICT, "conflict", message);
    }

    HttpResponseStatus status() {
        return status;
    }

    String code() {
        return code;
    }
}
