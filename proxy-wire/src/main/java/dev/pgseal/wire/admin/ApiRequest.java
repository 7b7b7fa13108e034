package dev.pgseal.wire.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * One decoded HTTP request, copied off Netty's buffers so it can cross to the worker threads.
 *
 * @param method e.g. {@code GET}
 * @param path the decoded path without the query, e.g. {@code /v1/keys/patients}
 * @param query decoded query parameters
 * @param authorization the {@code Authorization} header, or null
 * @param otp the {@code X-Pgseal-Otp} header (second factor), or null
 * @param body the request body (at most the configured limit)
 * @param remote the client's address, for the audit log
 * @param clientCertificate the client's certificate as the TLS handshake verified it (PKIX against
 *     {@code admin.tls.client_ca}), or null: plain HTTP, no client CA configured, or none sent
 */
record ApiRequest(String method, String path, Map<String, List<String>> query, String authorization, String otp, byte[] body,
        String remote, X509Certificate clientCertificate) {

    /** The one value of query parameter {@code name}, or null; twice is a bad request. */
    String queryParam(String name) {
        List<String> v = query.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw ApiException.badRequest("query parameter '" + name + "' given " + v.size() + " times");
        }
        return v.get(0);
    }

    /** Query parameter {@code since}: an ISO-8601 instant, or null when absent (400 when malformed). */
    Instant sinceParam() {
        String s = queryParam("since");
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("'since' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, not '"
                    + s + "'");
        }
    }

    /** Query parameter {@code limit} of an audit query: 1 to {@code max}, {@code otherwise} when absent (400 else). */
    int limitParam(int otherwise, int max) {
        String l = queryParam("limit");
        if (l == null) {
            return otherwise;
        }
        int limit;
        try {
            limit = Integer.parseInt(l);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > max) {
            throw ApiException.badRequest("'limit' must be a whole number from 1 to " + max);
        }
        return limit;
    }

    /** The body as a JSON object; an empty body is an empty object. */
    JsonNode json() {
        if (body.length == 0) {
            return AdminJson.MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = AdminJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("the body cannot be read: " + e.getMessage());
        }
        if (node == null || node instanceof NullNode || !node.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        return node;
    }
}
