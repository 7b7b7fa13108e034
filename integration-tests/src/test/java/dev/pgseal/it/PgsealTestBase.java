package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.config.ServerConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One scratch database and one pgseal in front of the fixture's PostgreSQL per test class.
 * {@link #through} is what the tests exercise (pgseal, or PostgreSQL itself in a validation run);
 * {@link #direct} is always PostgreSQL, for the expected outcome of comparison tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PgsealTestBase {

    protected ScratchDatabase database;
    protected PgsealUnderTest pgseal;
    protected Target direct;
    protected Target through;

    @BeforeAll
    final void startPgsealInFrontOfAScratchDatabase() throws Exception {
        PostgresFixture server = PostgresFixture.get();
        database = ScratchDatabase.create(getClass().getSimpleName());
        direct = new Target("direct", server.host(), server.port());
        pgseal = PgsealUnderTest.start(configure(PgsealUnderTest.plainConfig(server.host(), server.port())));
        through = pgseal.target();
    }

    @AfterAll
    final void everySessionClosedThenStopPgsealAndDropTheDatabase() throws Exception {
        try {
            // Every test closes its connections; pgseal must notice and free the sessions.
            assertThat(pgseal.awaitNoSessions(Duration.ofSeconds(10))).as("sessions left open in pgseal").isZero();
        } finally {
            pgseal.close();
            database.close();
        }
    }

    /** The config the class's pgseal starts with: {@code plain} (no TLS, default limits) unless overridden. */
    protected ServerConfig configure(ServerConfig plain) throws Exception {
        return plain;
    }

    /** A connection to the scratch database through {@code target} as the fixture's user. */
    protected Connection connect(Target target, String... options) throws SQLException {
        PostgresFixture server = PostgresFixture.get();
        return target.connect(database.name(), server.user(), server.password(), options);
    }

    /** A connection to the scratch database through pgseal as the fixture's user. */
    protected Connection connectThrough(String... options) throws SQLException {
        return connect(through, options);
    }
}
