package dev.pgseal.wire.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** docs/openapi.yaml describes exactly the routes the server has, with the roles they allow. */
class OpenApiDocumentTest {

    @Test
    @SuppressWarnings("unchecked")
    void theOpenApiFileListsEveryRouteAndNoOther() throws Exception {
        Path file = Path.of("..", "docs", "openapi.yaml");
        Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(file));
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");

        Set<String> documented = new HashSet<>();
        paths.forEach((path, ops) -> ops.keySet().stream().filter(k -> !k.equals("parameters"))
                .forEach(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + path)));
        Set<String> served = new HashSet<>(Set.of("GET /health/live", "GET /health/ready", "GET /metrics"));
        for (Route r : MasterKeyRoutes.after(DataPlaneRoutes.after(AlertRoutes.after(new AdminRoutes(null).routes(), null),
                null), null)) {
            served.add(r.method() + " " + r.pattern());
            Map<String, Object> op = (Map<String, Object>) paths.get(r.pattern()).get(r.method().toLowerCase(Locale.ROOT));
            String roles = r.roles().size() == 1 ? "Role: " + r.allowedRoles() + "." : "Roles: " + r.allowedRoles() + ".";
            assertThat((String) op.get("description")).as(r.method() + " " + r.pattern()).startsWith(roles);
        }
        assertThat(documented).isEqualTo(served);
    }
}
