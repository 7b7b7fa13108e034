package dev.pgseal.wire.admin;

import dev.pgseal.keys.access.Principal;
import java.util.Map;

/**
 * A request that passed authentication and the role check, as a route handler sees it.
 *
 * @param request the request
 * @param params the path parameters
 * @param principal the caller; null on an endpoint that needs no token
 */
record Call(ApiRequest request, Map<String, String> params, Principal principal) {

    /** The caller's name, the actor of the audit events the call causes. */
    String actor() {
        return principal == null ? RequestAudit.ANONYMOUS : principal.name();
    }

    String param(String name) {
        return params.get(name);
    }

    /** A positive integer path parameter. */
    int intParam(String name) {
        String v = params.get(name);
        try {
            int i = Integer.parseInt(v);
            if (i >= 1) {
                return i;
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw ApiException.badRequest(name + " must be a positive integer, not '" + v + "'");
    }
}
