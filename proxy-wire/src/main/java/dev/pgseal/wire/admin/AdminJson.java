package dev.pgseal.wire.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeysListing;
import java.util.List;

/** The admin API's JSON: one mapper, and key rings in the same shape as {@code keys list --json}. */
final class AdminJson {

    static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private AdminJson() {
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response as JSON", e);
        }
    }

    /**
     * {@code {"rings": [...]}} exactly as the offline listing prints it, so scripts read one shape
     * whether they ask the store or the server.
     */
    static JsonNode rings(List<KeyRing> rings) {
        return tree(KeysListing.toJson(rings));
    }

    /** One ring, as an element of {@link #rings}. */
    static JsonNode ring(KeyRing ring) {
        return rings(List.of(ring)).get("rings").get(0);
    }

    static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the key listing is not valid JSON", e);
        }
    }
}
