package dev.pgseal.policy;

import dev.pgseal.policy.internal.PolicyParser;
import dev.pgseal.policy.yaml.Diagnostics;
import dev.pgseal.policy.yaml.YamlReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads and validates policy files. Never throws for a user error: every problem is in the
 * returned {@link PolicyLoadResult}, each with file, line and column, all at once.
 */
public final class PolicyLoader {

    private PolicyLoader() {
    }

    /** Loads the policy in {@code file} (UTF-8). Diagnostics name the file as given. */
    public static PolicyLoadResult load(Path file) {
        Diagnostics diagnostics = new Diagnostics();
        Optional<String> text = YamlReader.readText(file, diagnostics);
        if (text.isEmpty()) {
            return new PolicyLoadResult(file.toString(), Optional.empty(), diagnostics.errors(), List.of());
        }
        return parse(text.get(), file.toString());
    }

    /** Parses and validates policy text; {@code fileName} is used in every diagnostic. */
    public static PolicyLoadResult parse(String text, String fileName) {
        return PolicyParser.parse(text, fileName);
    }
}
