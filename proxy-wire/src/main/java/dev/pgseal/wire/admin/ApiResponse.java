package dev.pgseal.wire.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a route answers: a status, a body and its content type, and extra headers.
 *
 * @param status the HTTP status
 * @param contentType e.g. {@code application/json}
 * @param body the bytes to send
 * @param headers extra headers (WWW-Authenticate, Allow…)
 */
record ApiResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json";

    static ApiResponse json(HttpResponseStatus status, Object value) {
        return new ApiResponse(status, JSON, AdminJson.bytes(value), Map.of());
    }

    static ApiResponse ok(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    static ApiResponse error(HttpResponseStatus status, String code, String message) {
        return json(status, Map.of("error", code, "message", message));
    }

    static ApiResponse text(HttpResponseStatus status, String contentType, String text) {
        return new ApiResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    ApiResponse withHeader(String name, String value) {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, contentType, body, Map.copyOf(h));
    }
}
