package dev.pgseal.policy.yaml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Typed, error-recording access to the keys of one mapping. No accessor throws for a user error:
 * each records a {@link Diagnostic} that names the key and returns empty, so a caller can go on
 * and report every problem of a file at once. An absent key, or a key whose value is YAML null,
 * reads as empty without an error; use {@link #require(String)} for mandatory keys.
 */
public final class YamlFields {

    private final YamlMapping mapping;
    private final Diagnostics diagnostics;

    private YamlFields(YamlMapping mapping, Diagnostics diagnostics) {
        this.mapping = mapping;
        this.diagnostics = diagnostics;
    }

    /**
     * Fields of {@code node} when it is a mapping; otherwise records
     * "{@code what} must be a mapping" and returns empty.
     *
     * @param what how to name the node in a message, e.g. {@code "a column"} or {@code "'listen'"}
     */
    public static Optional<YamlFields> of(YamlNode node, String what, Diagnostics diagnostics) {
        if (node instanceof YamlMapping m) {
            return Optional.of(new YamlFields(m, diagnostics));
        }
        diagnostics.error(node, what + " must be a mapping of keys to values, not " + node.shape());
        return Optional.empty();
    }

    /** The underlying mapping. */
    public YamlMapping mapping() {
        return mapping;
    }

    /** Where the mapping starts. */
    public Location location() {
        return mapping.location();
    }

    /** The collector this view records into. */
    public Diagnostics diagnostics() {
        return diagnostics;
    }

    /**
     * Records an error for every key not in {@code allowed}, with a "did you mean" hint when a
     * known key is close, else the list of known keys.
     */
    public void allowOnly(Collection<String> allowed) {
        for (YamlMapping.Entry e : mapping.entries()) {
            String key = e.key().value();
            if (!allowed.contains(key)) {
                String hint = Suggestions.hint(key, allowed);
                diagnostics.error(e.key(), "unknown key '" + Quoting.shorten(key) + "'"
                        + (hint.isEmpty() ? "; expected one of: " + String.join(", ", allowed) : hint));
            }
        }
    }

    /** {@link #allowOnly(Collection)} with the keys listed. */
    public void allowOnly(String... allowed) {
        allowOnly(Arrays.asList(allowed));
    }

    /** Whether {@code key} is present with a non-null value. */
    public boolean has(String key) {
        return node(key).isPresent();
    }

    /** Records "missing required key" unless {@code key} is present with a non-null value. */
    public boolean require(String key) {
        if (has(key)) {
            return true;
        }
        diagnostics.error(mapping, "missing required key '" + key + "'");
        return false;
    }

    /** The value of {@code key}, unless absent or YAML null. */
    public Optional<YamlNode> node(String key) {
        return mapping.get(key).filter(n -> !(n instanceof YamlScalar s && s.isNull()));
    }

    /** The key itself as written (its position), if present. */
    public Optional<YamlScalar> keyNode(String key) {
        return mapping.entry(key).map(YamlMapping.Entry::key);
    }

    /** The value of {@code key} as a scalar; records an error when it is a list or mapping. */
    public Optional<YamlScalar> scalar(String key) {
        Optional<YamlNode> n = node(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        if (n.get() instanceof YamlScalar s) {
            return Optional.of(s);
        }
        diagnostics.error(n.get(), "'" + key + "' must be a single value, not " + n.get().shape());
        return Optional.empty();
    }

    /** The value of {@code key} as text. Any scalar is accepted ({@code 42} reads as "42"). */
    public Optional<String> string(String key) {
        return scalar(key).map(YamlScalar::value);
    }

    /** {@link #require(String)} and {@link #string(String)} together. */
    public Optional<String> requiredString(String key) {
        return require(key) ? string(key) : Optional.empty();
    }

    /** The value of {@code key} as a whole number; records an error when it is not one. */
    public OptionalInt integer(String key) {
        Optional<YamlScalar> s = scalar(key);
        if (s.isEmpty()) {
            return OptionalInt.empty();
        }
        String text = s.get().value().trim();
        if (s.get().plain() && text.matches("[-+]?[0-9]{1,10}")) {
            try {
                return OptionalInt.of(Integer.parseInt(text.startsWith("+") ? text.substring(1) : text));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        diagnostics.error(s.get(), "'" + key + "' must be a whole number, not '" + Quoting.shorten(text) + "'");
        return OptionalInt.empty();
    }

    /** The value of {@code key} as true or false; records an error otherwise. */
    public Optional<Boolean> bool(String key) {
        Optional<YamlScalar> s = scalar(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get().value().trim().toLowerCase(Locale.ROOT);
        if (s.get().plain() && (text.equals("true") || text.equals("false"))) {
            return Optional.of(text.equals("true"));
        }
        diagnostics.error(s.get(), "'" + key + "' must be true or false, not '" + Quoting.shorten(s.get().value()) + "'");
        return Optional.empty();
    }

    /**
     * The value of {@code key} as a constant of {@code type}, written in lower case with
     * underscores (constant {@code NULLIFY} is written {@code nullify}); records an error with a
     * hint otherwise.
     */
    public <E extends Enum<E>> Optional<E> enumValue(String key, Class<E> type) {
        Optional<YamlScalar> s = scalar(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get().value().trim();
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT);
            if (name.equals(text)) {
                return Optional.of(constant);
            }
            names.add(name);
        }
        String hint = Suggestions.hint(text, names);
        diagnostics.error(s.get(), "invalid value '" + Quoting.shorten(text) + "' for '" + key + "'"
                + (hint.isEmpty() ? "; expected one of: " + String.join(", ", names) : hint));
        return Optional.empty();
    }

    /** The value of {@code key} as a {@link DurationText duration}; records an error otherwise. */
    public Optional<Duration> duration(String key) {
        Optional<YamlScalar> s = scalar(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> d = DurationText.parse(s.get().value());
        if (d.isEmpty()) {
            diagnostics.error(s.get(), "invalid duration '" + Quoting.shorten(s.get().value()) + "' for '" + key
                    + "': use " + DurationText.FORMS);
        }
        return d;
    }

    /** The value of {@code key} as a list; records an error when it is a single value or mapping. */
    public Optional<YamlSequence> list(String key) {
        Optional<YamlNode> n = node(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        if (n.get() instanceof YamlSequence seq) {
            return Optional.of(seq);
        }
        diagnostics.error(n.get(), "'" + key + "' must be a list, not " + n.get().shape());
        return Optional.empty();
    }

    /**
     * The value of {@code key} as a list of single values; each non-scalar item is reported. A
     * single value is accepted as a list of one when {@code singleAllowed}.
     */
    public Optional<List<YamlScalar>> scalarList(String key, boolean singleAllowed) {
        Optional<YamlNode> n = node(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        if (singleAllowed && n.get() instanceof YamlScalar s) {
            return Optional.of(List.of(s));
        }
        if (!(n.get() instanceof YamlSequence seq)) {
            diagnostics.error(n.get(), "'" + key + "' must be a list, not " + n.get().shape());
            return Optional.empty();
        }
        List<YamlScalar> items = new ArrayList<>();
        boolean ok = true;
        for (YamlNode item : seq.items()) {
            if (item instanceof YamlScalar s && !s.isNull()) {
                items.add(s);
            } else {
                diagnostics.error(item, "each item of '" + key + "' must be a single value, not " + item.shape());
                ok = false;
            }
        }
        return ok ? Optional.of(List.copyOf(items)) : Optional.empty();
    }

    /** The value of {@code key} as a mapping; records an error otherwise. */
    public Optional<YamlFields> map(String key) {
        Optional<YamlNode> n = node(key);
        return n.isEmpty() ? Optional.empty() : of(n.get(), "'" + key + "'", diagnostics);
    }
}
