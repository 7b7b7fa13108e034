package dev.pgseal.keys;

/**
 * A token that code must hold to read key bytes out of {@link SecretBytes}. It has one instance;
 * searching for {@code SecretAccess.INSTANCE} lists every place where key bytes leave their type.
 */
public final class SecretAccess {

    /** The only instance. */
    public static final SecretAccess INSTANCE = new SecretAccess();

    private SecretAccess() {
    }
}
