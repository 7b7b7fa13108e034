package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgseal.wire.config.ServerConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code limits.max_client_connections}: one client too many gets PostgreSQL's 53300, the others carry on. */
class ConnectionLimitIT extends PgsealTestBase {

    private static final int LIMIT = 3;

    @Override
    protected ServerConfig configure(ServerConfig plain) {
        return plain.withLimits(new ServerConfig.Limits(ServerConfig.Limits.DEFAULT.maxMessageBytes(), LIMIT));
    }

    @Test
    void clientBeyondTheLimitIsRefusedWith53300AndASlotFreesWhenAClientLeaves() throws Exception {
        assumeTrue(PgsealUnderTest.proxyEnabled(), "a pgseal limit");
        List<Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT; i++) {
                open.add(connectThrough());
            }
            SQLException refused = catchThrowableOfType(SQLException.class, () -> connectThrough().close());
            assertThat((Throwable) refused).as("connection number " + (LIMIT + 1)).isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("53300");
            for (Connection c : open) {
                assertThat(selectOne(c)).isEqualTo(1);
            }
            open.remove(0).close();
            assertThat(pgseal.awaitSessionsAtMost(LIMIT - 1, Duration.ofSeconds(10))).isEqualTo(LIMIT - 1);
            open.add(connectThrough());
            assertThat(selectOne(open.get(open.size() - 1))).isEqualTo(1);
        } finally {
            for (Connection c : open) {
                c.close();
            }
        }
    }

    private static int selectOne(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
