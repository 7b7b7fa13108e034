package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.session.PendingResponse;
import io.netty.buffer.ByteBuf;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A plan attached when a statement arrives is found again on the RowDescriptions and DataRows that
 * answer it, through pgjdbc's pipelining, server-side prepared statements and multi-statement
 * simple queries: the FIFO matched every response to its statement.
 */
class SessionHooksIT {
    /** What the recording interceptor saw: "plan | columns" for each RowDescription, rows per plan. */
    static final List<String> descriptions = Collections.synchronizedList(new ArrayList<>());
    static final Map<String, Integer> rows = new ConcurrentHashMap<>();
    static final List<String> sessions = Collections.synchronizedList(new ArrayList<>());

    private static RunningProxy proxy;
    private static String db;

    @BeforeAll
    static void start() {
        proxy = new RunningProxy(ServerConfig.Limits.DEFAULT, session -> {
            sessions.add(session.user() + "@" + session.database() + " tz=" + (session.serverParameter("TimeZone") != null));
            return new Recorder();
        });
        db = proxy.pg.createDatabase("wire_hooks");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @BeforeEach
    void clear() {
        descriptions.clear();
        rows.clear();
    }

    /** Attaches the SQL text as the "plan"; for a simple query, one plan per statement of the string. */
    static final class Recorder implements StatementInterceptor {
        @Override
        public ByteBuf onQuery(Query query, PendingResponse entry) {
            entry.attach(query.sql().split(";"));
            return null;
        }

        @Override
        public ByteBuf onParse(Parse parse, PendingResponse entry) {
            entry.attach(new String[] {parse.sql()});
            return null;
        }

        @Override
        public void onRowDescription(RowDescription description, PendingResponse entry) {
            descriptions.add(plan(entry) + " | " + description.fields().stream().map(RowDescription.Field::name).toList());
        }

        @Override
        public ByteBuf onDataRow(ByteBuf frame, PendingResponse entry) {
            rows.merge(plan(entry), 1, Integer::sum);
            return frame;
        }

        private static String plan(PendingResponse entry) {
            String[] statements = (String[]) entry.attachment();
            return statements[Math.min(entry.resultIndex(), statements.length - 1)].trim();
        }
    }

    @Test
    void aSimpleQueryWithSeveralStatementsGetsEachResultMatchedToItsStatement() throws Exception {
        try (Connection c = proxy.connect(db, "&preferQueryMode=simple"); Statement s = c.createStatement()) {
            s.execute("select 1 as a; select 2 as b, 3 as c from generate_series(1,3); select 'x' as d");
        }
        assertThat(descriptions).containsExactly(
                "select 1 as a | [a]",
                "select 2 as b, 3 as c from generate_series(1,3) | [b, c]",
                "select 'x' as d | [d]");
        assertThat(rows).containsExactlyInAnyOrderEntriesOf(Map.of(
                "select 1 as a", 1, "select 2 as b, 3 as c from generate_series(1,3)", 3, "select 'x' as d", 1));
        assertThat(sessions).isNotEmpty().allMatch(s -> s.endsWith("tz=true"));
    }

    @Test
    void preparedStatementsKeepTheirPlanOnEveryExecution() throws Exception {
        try (Connection c = proxy.connect(db, "&prepareThreshold=1")) {
            try (PreparedStatement a = c.prepareStatement("select ?::int as n");
                 PreparedStatement b = c.prepareStatement("select ?::text as t, 1 as one")) {
                for (int i = 0; i < 4; i++) {
                    a.setInt(1, i);
                    b.setString(1, "v" + i);
                    try (ResultSet ra = a.executeQuery(); ResultSet rb = b.executeQuery()) {
                        assertThat(ra.next()).isTrue();
                        assertThat(rb.next()).isTrue();
                    }
                }
            }
        }
        assertThat(rows).containsExactlyInAnyOrderEntriesOf(Map.of(
                "select $1::int as n", 4, "select $1::text as t, 1 as one", 4));
        assertThat(descriptions).isNotEmpty().allMatch(d -> d.equals("select $1::int as n | [n]")
                || d.equals("select $1::text as t, 1 as one | [t, one]"));
    }

    @Test
    void aPipelinedBatchWithAnErrorStillMatchesTheQueryAfterIt() throws Exception {
        try (Connection c = proxy.connect(db, "&prepareThreshold=1"); Statement s = c.createStatement()) {
            s.addBatch("create temp table z (i int primary key)");
            s.addBatch("insert into z values (1)");
            s.addBatch("insert into z values (1)");
            s.addBatch("insert into z values (2)");
            try {
                s.executeBatch();
            } catch (java.sql.BatchUpdateException expected) {
                // duplicate key in the third statement; PostgreSQL skips the rest to Sync
            }
            try (ResultSet rs = s.executeQuery("select 42 as answer")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertThat(descriptions).containsExactly("select 42 as answer | [answer]");
        assertThat(rows).containsExactlyEntriesOf(Map.of("select 42 as answer", 1));
    }

    @Test
    void anInterceptorThatThrowsEndsOnlyItsSessionWithAnInternalError() throws Exception {
        StatementInterceptor failing = new StatementInterceptor() {
            @Override
            public ByteBuf onQuery(Query query, PendingResponse entry) {
                if (query.sql().contains("boom")) {
                    throw new IllegalStateException("planner bug");
                }
                return null;
            }
        };
        try (RunningProxy own = new RunningProxy(ServerConfig.Limits.DEFAULT, session -> failing);
             Connection other = own.connect(db, "&preferQueryMode=simple");
             Connection victim = own.connect(db, "&preferQueryMode=simple")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> victim.createStatement().execute("select 'boom'"))
                    .isInstanceOf(java.sql.SQLException.class)
                    .satisfies(e -> assertThat(((java.sql.SQLException) e).getSQLState()).isEqualTo("XX000"));
            assertThat(victim.isValid(5)).isFalse();
            try (Statement s = other.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void anInterceptorCanReplaceAQueryOrAParseFrame() throws Exception {
        StatementInterceptor rewriting = new StatementInterceptor() {
            @Override
            public ByteBuf onQuery(Query query, PendingResponse entry) {
                return query.sql().contains("'original'") ? frame('Q', "", query.sql().replace("'original'", "'rewritten'")) : null;
            }

            @Override
            public ByteBuf onParse(Parse parse, PendingResponse entry) {
                return parse.sql().contains("'original'")
                        ? frame('P', parse.name(), parse.sql().replace("'original'", "'rewritten'")) : null;
            }

            private ByteBuf frame(char type, String name, String sql) {
                ByteBuf b = io.netty.buffer.Unpooled.buffer();
                b.writeByte(type).writeInt(0);
                if (type == 'P') {
                    b.writeCharSequence(name, java.nio.charset.StandardCharsets.UTF_8);
                    b.writeByte(0);
                }
                b.writeCharSequence(sql, java.nio.charset.StandardCharsets.UTF_8);
                b.writeByte(0);
                if (type == 'P') {
                    b.writeShort(0);
                }
                return b.setInt(1, b.writerIndex() - 1);
            }
        };
        try (RunningProxy own = new RunningProxy(ServerConfig.Limits.DEFAULT, session -> rewriting)) {
            for (String mode : new String[] {"&preferQueryMode=simple", "&prepareThreshold=1"}) {
                try (Connection c = own.connect(db, mode); PreparedStatement ps = c.prepareStatement("select 'original', ?::int")) {
                    for (int i = 0; i < 3; i++) {
                        ps.setInt(1, i);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getString(1)).as(mode).isEqualTo("rewritten");
                            assertThat(rs.getInt(2)).isEqualTo(i);
                        }
                    }
                }
            }
        }
    }
}
