package dev.pgseal.it;

/** How pgjdbc talks to the server: the simple query protocol, or the extended one with or without named statements. */
public enum ProtocolMode {
    /** Query messages only, parameters inlined by the driver. */
    SIMPLE("preferQueryMode", "simple"),
    /** Parse/Bind/Execute with the unnamed statement every time. */
    EXTENDED_UNNAMED("prepareThreshold", "0"),
    /** Parse once into a named server-side statement, then Bind/Execute it again and again. */
    EXTENDED_NAMED("prepareThreshold", "1");

    private final String option;
    private final String value;

    ProtocolMode(String option, String value) {
        this.option = option;
        this.value = value;
    }

    /** The pgjdbc option pair that selects this mode. */
    public String[] options() {
        return new String[] {option, value};
    }

    /** This mode's option pair followed by {@code more} name/value pairs. */
    public String[] optionsWith(String... more) {
        String[] all = new String[2 + more.length];
        all[0] = option;
        all[1] = value;
        System.arraycopy(more, 0, all, 2, more.length);
        return all;
    }
}
