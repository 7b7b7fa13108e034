package dev.pgseal.wire.admin;

import dev.pgseal.keys.access.Role;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One endpoint: method and path pattern ({@code /v1/keys/{name}}), the roles allowed to call it,
 * whether it is dangerous (second factor), the action name the audit log records, and the handler.
 * The role table lives here, next to each route, so a review reads who may call what in one place.
 *
 * @param method e.g. {@code POST}
 * @param pattern segments; {@code {x}} captures one segment
 * @param roles the roles allowed; empty for an endpoint that needs no token
 * @param dangerous whether the second factor is asked
 * @param action the audit action after {@code api.}, e.g. {@code keys.rotate}
 * @param handler what runs once the caller is allowed
 */
record Route(String method, String pattern, Set<Role> roles, boolean dangerous, String action, Handler handler) {

    /** A route's work: runs on a worker thread, may block. */
    @FunctionalInterface
    interface Handler {
        ApiResponse handle(Call call);
    }

    Route {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    static Route of(String method, String pattern, String action, Role... roles) {
        return new Route(method, pattern, Set.of(roles), false, action, null);
    }

    /** This route is dangerous: the second factor is asked before it runs. */
    Route needsSecondFactor() {
        return new Route(method, pattern, roles, true, action, handler);
    }

    Route to(Handler h) {
        return new Route(method, pattern, roles, dangerous, action, h);
    }

    /** The path parameters when {@code path} matches the pattern, else null. */
    Map<String, String> match(List<String> segments) {
        List<String> parts = segments(pattern);
        if (parts.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (p.startsWith("{") && p.endsWith("}")) {
                if (segments.get(i).isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), segments.get(i));
            } else if (!p.equals(segments.get(i))) {
                return null;
            }
        }
        return params;
    }

    /** The roles allowed, as the 403 message lists them: {@code admin, operator}. */
    String allowedRoles() {
        return roles.stream().sorted().map(Role::displayName).collect(Collectors.joining(", "));
    }

    /** Path segments after the leading slash ({@code /v1/keys} is {@code [v1, keys]}). */
    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        int start = path.startsWith("/") ? 1 : 0;
        while (start <= path.length()) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            out.add(path.substring(start, end));
            if (slash < 0) {
                break;
            }
            start = slash + 1;
        }
        return out;
    }
}
