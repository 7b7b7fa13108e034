package dev.pgseal.wire.protocol.startup;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code options} startup parameter read exactly as PostgreSQL reads it: split into words at
 * unescaped white space, a backslash taking the next character literally ({@code pg_split_opts}),
 * then the words read as the backend's command-line switches ({@code process_postgres_switches}):
 * {@code -c name=value}, {@code -cname=value} and {@code --name=value} set a run-time parameter
 * (dashes in the name read as underscores, as {@code ParseLongOption} does); every other switch
 * ({@code -B}, {@code -d}, {@code -e}, a bare {@code --}, …) and every word that is no switch is kept
 * as a {@link Word} so the caller can refuse it.
 */
public final class StartupOptions {
    private StartupOptions() {
    }

    /** One item of {@code options}. */
    public sealed interface Item permits Setting, Word {
    }

    /**
     * A run-time parameter set by {@code -c} or {@code --}.
     *
     * @param name the parameter name, dashes replaced by underscores
     * @param value the value, {@code null} when the word had no {@code =} (PostgreSQL refuses that)
     */
    public record Setting(String name, String value) implements Item {
        public Setting {
            Objects.requireNonNull(name);
        }
    }

    /** Anything else: a switch pgseal does not pass on, or a word that is no switch at all. */
    public record Word(String text) implements Item {
    }

    /** Reads {@code options}; never fails, so that every item can be judged and named. */
    public static List<Item> parse(String options) {
        List<String> words = split(options);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("-c")) {
                // The switch takes the next word as its argument, as getopt does.
                if (i + 1 < words.size()) {
                    items.add(setting(words.get(++i)));
                } else {
                    items.add(new Word(w));
                }
            } else if (w.startsWith("--") && w.length() > 2) {
                items.add(setting(w.substring(2)));
            } else if (w.startsWith("-c")) {
                items.add(setting(w.substring(2)));
            } else {
                items.add(new Word(w));
            }
        }
        return items;
    }

    private static Setting setting(String arg) {
        int eq = arg.indexOf('=');
        String name = (eq < 0 ? arg : arg.substring(0, eq)).replace('-', '_');
        return new Setting(name, eq < 0 ? null : arg.substring(eq + 1));
    }

    /** {@code pg_split_opts}: white space separates words; a backslash escapes the next character. */
    static List<String> split(String options) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = options.length();
        while (i < n) {
            while (i < n && isSpace(options.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            StringBuilder word = new StringBuilder();
            while (i < n && !isSpace(options.charAt(i))) {
                char c = options.charAt(i++);
                if (c == '\\') {
                    if (i == n) {
                        break; // a trailing backslash escapes nothing and is dropped
                    }
                    c = options.charAt(i++);
                }
                word.append(c);
            }
            words.add(word.toString());
        }
        return words;
    }

    /** C's isspace in the C locale, which PostgreSQL uses here. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }
}
