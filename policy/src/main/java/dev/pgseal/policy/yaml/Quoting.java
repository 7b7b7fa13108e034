package dev.pgseal.policy.yaml;

/** Keeps values quoted in messages short and on one line. */
final class Quoting {

    private static final int MAX = 60;

    private Quoting() {
    }

    static String shorten(String value) {
        String oneLine = value.replace("\n", "\\n").replace("\r", "\\r");
        return oneLine.length() <= MAX ? oneLine : oneLine.substring(0, MAX - 3) + "...";
    }
}
