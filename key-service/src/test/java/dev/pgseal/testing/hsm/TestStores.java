package dev.pgseal.testing.hsm;

import dev.pgseal.keys.StoreSettings;
import dev.pgseal.testing.PostgresFixture;
import java.util.Optional;

/** Key store databases for tests: a fresh PostgreSQL database per call. */
public final class TestStores {

    private TestStores() {
    }

    /** A {@code store} section for a new, empty database whose name starts with {@code prefix}. */
    public static StoreSettings freshStore(String prefix) {
        PostgresFixture pg = PostgresFixture.get();
        String db = pg.createDatabase(prefix);
        return new StoreSettings(pg.jdbcUrl(db), pg.user(), Optional.empty(), 2);
    }
}
