package dev.pgseal.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a role outside a column's readers sees with {@code on_unauthorized: mask}: literal
 * characters plus placeholders that reveal part of the plaintext's text form.
 *
 * <p>Syntax: any characters are copied as written; {@code {firstN}} reveals the first N
 * characters of the value and {@code {lastN}} the last N (N from 1 to 99); {@code {{} and
 * {@code }}} stand for literal braces. Example: {@code "***-**-{last4}"}.
 *
 * <p>Leak rule, applied to every value: a pattern never reveals more than half of a value. When
 * the value has fewer than twice as many characters as the pattern reveals in total
 * ({@link #revealedCharacters()}), every placeholder prints as that many asterisks instead, so a
 * short value shows nothing of itself (not even its length). The policy loader also refuses, before
 * any value is seen, patterns that break this rule for every value of a fixed-length type (see
 * docs/policy.md).
 */
public final class MaskPattern {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(first|last)([1-9][0-9]?)\\}");

    private sealed interface Part permits Literal, Reveal {
    }

    private record Literal(String text) implements Part {
    }

    private record Reveal(boolean fromStart, int count) implements Part {
    }

    private final String text;
    private final List<Part> parts;
    private final int revealed;

    private MaskPattern(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
        this.revealed = parts.stream().mapToInt(p -> p instanceof Reveal r ? r.count() : 0).sum();
    }

    /**
     * Parses a pattern.
     *
     * @throws IllegalArgumentException naming the offending placeholder and its 1-based position
     */
    public static MaskPattern parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("the mask is empty");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{' && text.startsWith("{{", i)) {
                literal.append('{');
                i += 2;
            } else if (c == '}' && text.startsWith("}}", i)) {
                literal.append('}');
                i += 2;
            } else if (c == '{') {
                Matcher m = PLACEHOLDER.matcher(text).region(i, text.length());
                if (!m.lookingAt()) {
                    int close = text.indexOf('}', i);
                    String bad = close < 0 ? text.substring(i) : text.substring(i, close + 1);
                    throw new IllegalArgumentException("unknown placeholder '" + bad + "' at position " + (i + 1)
                            + "; use {firstN} or {lastN} with N from 1 to 99, or {{ for a literal brace");
                }
                if (literal.length() > 0) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(new Reveal(m.group(1).equals("first"), Integer.parseInt(m.group(2))));
                i = m.end();
            } else if (c == '}') {
                throw new IllegalArgumentException("unmatched '}' at position " + (i + 1) + "; write }} for a literal brace");
            } else {
                literal.append(c);
                i++;
            }
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        return new MaskPattern(text, parts);
    }

    /** The pattern as written in the policy. */
    public String text() {
        return text;
    }

    /** How many characters of a value the pattern reveals in total (the sum of its placeholders' N). */
    public int revealedCharacters() {
        return revealed;
    }

    /**
     * Applies the pattern to a value's text form. Characters are Unicode code points. Returns null
     * for null (a NULL stays NULL).
     */
    public String apply(String plaintext) {
        if (plaintext == null) {
            return null;
        }
        int[] cps = plaintext.codePoints().toArray();
        boolean reveal = 2L * revealed <= cps.length;
        StringBuilder out = new StringBuilder(text.length() + revealed);
        for (Part p : parts) {
            if (p instanceof Literal l) {
                out.append(l.text());
            } else {
                Reveal r = (Reveal) p;
                if (!reveal) {
                    out.append("*".repeat(r.count()));
                } else {
                    appendCodePoints(out, cps, r.fromStart() ? 0 : cps.length - r.count(), r.count());
                }
            }
        }
        return out.toString();
    }

    private static void appendCodePoints(StringBuilder sb, int[] cps, int start, int count) {
        for (int i = start; i < start + count; i++) {
            sb.appendCodePoint(cps[i]);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskPattern other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
