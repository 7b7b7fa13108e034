package dev.pgseal.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON Schema (draft 2020-12) of the policy file, for editors ({@code pgseal policy schema}
 * prints it). It checks the shape of the file; the loader checks more (identifiers, key
 * references, the mask leak rule), so a file that passes the schema may still be refused.
 */
public final class PolicySchema {

    /** The classpath resource that holds the schema. */
    public static final String RESOURCE = "/dev/pgseal/policy/policy.schema.json";

    private PolicySchema() {
    }

    /** The schema's JSON text. */
    public static String text() {
        try (InputStream in = PolicySchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
