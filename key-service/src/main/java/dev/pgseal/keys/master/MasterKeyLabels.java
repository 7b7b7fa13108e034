package dev.pgseal.keys.master;

import java.util.function.Predicate;

/** Labels of rotated master keys: the configured label, then {@code label-2}, {@code label-3}, … */
final class MasterKeyLabels {

    private MasterKeyLabels() {
    }

    /** The first label after {@code firstLabel} that is not {@code taken}. */
    static String next(String firstLabel, Predicate<String> taken) {
        int n = 2;
        String label;
        do {
            label = firstLabel + "-" + n++;
        } while (taken.test(label));
        return label;
    }
}
