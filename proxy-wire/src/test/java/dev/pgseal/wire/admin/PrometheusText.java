package dev.pgseal.wire.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line is a
 * {@code # HELP}, a {@code # TYPE}, a comment or a sample; names and label names follow the
 * format's grammar; label values use only its escapes; values are floats (or NaN, +Inf, -Inf); a
 * family's TYPE comes once and before its samples; a family's samples are contiguous; histogram and
 * summary samples use their suffixes; no sample repeats (same name and labels). Anything else
 * throws, naming the line.
 */
final class PrometheusText {

    /** One metric family. */
    record Family(String name, String type, String help, List<Sample> samples) {
    }

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusText() {
    }

    static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        String current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + lineNo + ": " + line;
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                requireName(p[0], where);
                if (help.put(p[0], p.length > 1 ? p[1] : "") != null) {
                    throw new IllegalArgumentException("second HELP for " + p[0] + ": " + where);
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                if (p.length != 2 || !TYPES.contains(p[1])) {
                    throw new IllegalArgumentException("bad TYPE: " + where);
                }
                requireName(p[0], where);
                if (families.containsKey(p[0])) {
                    throw new IllegalArgumentException("second TYPE for " + p[0] + ": " + where);
                }
                families.put(p[0], new Family(p[0], p[1], help.getOrDefault(p[0], ""), new ArrayList<>()));
                current = p[0];
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Sample s = sample(line, where);
            Family f = current == null ? null : families.get(current);
            if (f == null || !belongs(s.name(), f)) {
                String family = familyOf(s.name(), families);
                if (family != null) {
                    throw new IllegalArgumentException("samples of " + family + " are not contiguous: " + where);
                }
                // An untyped family: allowed by the format, but it starts a new group.
                f = new Family(s.name(), "untyped", help.getOrDefault(s.name(), ""), new ArrayList<>());
                families.put(s.name(), f);
                current = s.name();
            }
            if (!seen.add(s.name() + s.labels())) {
                throw new IllegalArgumentException("repeated sample: " + where);
            }
            f.samples().add(s);
        }
        return families;
    }

    private static boolean belongs(String sample, Family f) {
        return switch (f.type()) {
            case "histogram" -> sample.equals(f.name() + "_bucket") || sample.equals(f.name() + "_sum")
                    || sample.equals(f.name() + "_count");
            case "summary" -> sample.equals(f.name()) || sample.equals(f.name() + "_sum")
                    || sample.equals(f.name() + "_count");
            default -> sample.equals(f.name());
        };
    }

    private static String familyOf(String sample, Map<String, Family> families) {
        for (Family f : families.values()) {
            if (belongs(sample, f)) {
                return f.name();
            }
        }
        return null;
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        requireName(name, where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unterminated labels: " + where);
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException("label without '=': " + where);
                }
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches()) {
                    throw new IllegalArgumentException("bad label name '" + label + "': " + where);
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label value not quoted: " + where);
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    if (j >= line.length()) {
                        throw new IllegalArgumentException("unterminated label value: " + where);
                    }
                    char c = line.charAt(j);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char n = j + 1 < line.length() ? line.charAt(j + 1) : 0;
                        switch (n) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new IllegalArgumentException("bad escape in label value: " + where);
                        }
                        j += 2;
                        continue;
                    }
                    v.append(c);
                    j++;
                }
                if (labels.put(label, v.toString()) != null) {
                    throw new IllegalArgumentException("repeated label " + label + ": " + where);
                }
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                }
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no value: " + where);
        }
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length < 1 || rest.length > 2) {
            throw new IllegalArgumentException("bad value or timestamp: " + where);
        }
        double value = switch (rest[0]) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(rest[0]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad value '" + rest[0] + "': " + where);
                }
            }
        };
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad timestamp: " + where);
            }
        }
        return new Sample(name, labels, value);
    }

    private static void requireName(String name, String where) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name '" + name + "': " + where);
        }
    }
}
