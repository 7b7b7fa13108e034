package dev.pgseal.sql.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.sql.lex.LexSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSelectKeyword;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden cases for every statement shape issue 8 needs on protected tables: each parses into the
 * expected node, and every identifier, parameter and literal has its exact span in the original
 * text (leaves are {@code kind:original text[=value]}, in text order).
 */
class PgShapesTest {

    static ParsedSql parse(String sql) throws SqlSyntaxException {
        return PgSqlParser.parse(sql, LexSettings.STANDARD);
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                // INSERT
                Arguments.of("INSERT INTO t (b, a) VALUES ($1, 'x'), ($2, DEFAULT), (NULL, $3::int4)",
                        "PgInsert", "id:t | id:b | id:a | param:$1=1 | lit:'x'=x | param:$2=2 | lit:NULL | param:$3=3"),
                Arguments.of("INSERT INTO t (a) VALUES ($1) RETURNING *",
                        "PgInsert", "id:t | id:a | param:$1=1 | id:*"),
                Arguments.of("insert into t as x (id, ssn) values ($1, $2) on conflict (id) do update set ssn = "
                                + "EXCLUDED.ssn, n = DEFAULT where x.ssn <> $3 returning id, ssn AS s",
                        "PgInsert", "id:t | id:x | id:id | id:ssn | param:$1=1 | param:$2=2 | id:id | id:ssn"
                                + " | id:EXCLUDED.ssn | id:n | id:x.ssn | param:$3=3 | id:id | id:ssn | id:s"),
                Arguments.of("INSERT INTO t VALUES (1, E'a\\tb') ON CONFLICT DO NOTHING",
                        "PgInsert", "id:t | lit:1 | lit:E'a\\tb'=a\tb"),
                Arguments.of("INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING",
                        "PgInsert", "id:t | lit:1 | id:t_pkey"),
                Arguments.of("INSERT INTO t2 (ssn) SELECT ssn FROM t WHERE id = $1 RETURNING t2.*",
                        "PgInsert", "id:t2 | id:ssn | id:ssn | id:t | id:id | param:$1=1 | id:t2.*"),
                // UPDATE, DELETE
                Arguments.of("UPDATE t AS p SET ssn = $1, name = NULL, n = DEFAULT WHERE p.id = $2 RETURNING p.ssn",
                        "PgUpdate", "id:t | id:p | id:ssn | param:$1=1 | id:name | lit:NULL | id:n | id:p.id"
                                + " | param:$2=2 | id:p.ssn"),
                Arguments.of("UPDATE t SET ssn = 'x' FROM u WHERE u.id = t.id",
                        "PgUpdate", "id:t | id:ssn | lit:'x'=x | id:u | id:u.id | id:t.id"),
                Arguments.of("DELETE FROM t WHERE ssn = $1 RETURNING *",
                        "PgDelete", "id:t | id:ssn | param:$1=1 | id:*"),
                Arguments.of("DELETE FROM t x USING u WHERE u.id = x.id RETURNING x.id",
                        "PgDelete", "id:t | id:x | id:u | id:u.id | id:x.id | id:x.id"),
                // SELECT
                Arguments.of("SELECT ssn AS s, t.ssn x, * FROM t WHERE ssn = $1",
                        "SqlSelect", "id:ssn | id:s | id:t.ssn | id:x | id:* | id:t | id:ssn | param:$1=1"),
                Arguments.of("SELECT t.*, u.name FROM t JOIN u ON u.id = t.uid LEFT JOIN v ON v.id = u.id",
                        "SqlSelect", "id:t.* | id:u.name | id:t | id:u | id:u.id | id:t.uid | id:v | id:v.id | id:u.id"),
                Arguments.of("SELECT s.a FROM (SELECT ssn AS a FROM t) s WHERE EXISTS (SELECT 1 FROM u WHERE u.a = s.a)",
                        "SqlSelect", "id:s.a | id:ssn | id:a | id:t | id:s | lit:1 | id:u | id:u.a | id:s.a"),
                Arguments.of("WITH c AS (SELECT ssn FROM t) SELECT ssn FROM c",
                        "SqlWith", "id:c | id:ssn | id:t | id:ssn | id:c"),
                Arguments.of("SELECT ssn FROM t UNION ALL SELECT ssn FROM t2",
                        "SqlBasicCall", "id:ssn | id:t | id:ssn | id:t2"),
                Arguments.of("SELECT count(ssn), count(*) FROM t WHERE ssn IS NOT NULL AND x IS NULL",
                        // A function name is part of the call's operator, not an operand.
                        "SqlSelect", "id:ssn | id:* | id:t | id:ssn | id:x"),
                Arguments.of("SELECT a FROM t GROUP BY a ORDER BY a DESC LIMIT $1 OFFSET 5",
                        "SqlOrderBy", "id:a | id:t | id:a | id:a | param:$1=1 | lit:5"),
                Arguments.of("SELECT a FROM t WHERE ssn IN ('a', $1, $2) OR ssn <> $3 OR ssn = ANY($4)",
                        "SqlSelect", "id:a | id:t | id:ssn | lit:'a'=a | param:$1=1 | param:$2=2 | id:ssn"
                                + " | param:$3=3 | id:ssn | param:$4=4"),
                Arguments.of("SELECT a FROM t WHERE a = ANY($1::text[])",
                        "SqlSelect", "id:a | id:t | id:a | param:$1=1"),
                Arguments.of("SELECT * FROM t p WHERE p.id = $1 FOR UPDATE OF p",
                        "PgSelectLocking", "id:* | id:t | id:p | id:p.id | param:$1=1 | id:p"),
                Arguments.of("SELECT a FROM t ORDER BY a LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED",
                        "PgSelectLocking", "id:a | id:t | id:a | lit:1"),
                Arguments.of("SELECT DISTINCT ON (a) a, b FROM t",
                        "SqlSelect", "id:a | id:a | id:b | id:t"),
                Arguments.of("SELECT a FROM t WHERE d > now() - interval '1 day' AND c = $$x$$::text",
                        "SqlSelect", "id:a | id:t | id:d | lit:'1 day'=1 day | id:c | lit:$$x$$=x"),
                Arguments.of("SELECT a FROM t t1 JOIN t t2 ON t1.ssn = t2.ssn",
                        "SqlSelect", "id:a | id:t | id:t1 | id:t | id:t2 | id:t1.ssn | id:t2.ssn"));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void shapeParsesWithExactLeafSpans(String sql, String nodeClass, String leaves) throws Exception {
        ParsedSql parsed = parse(sql);
        assertThat(parsed.statements()).hasSize(1);
        SqlNode node = parsed.statements().get(0).node();
        assertThat(node.getClass().getSimpleName()).isEqualTo(nodeClass);
        assertThat(String.join(" | ", Leaves.of(parsed))).isEqualTo(leaves);
        // A statement node spans the whole statement.
        assertThat(span(parsed, node)).isEqualTo(sql);
    }

    private static String span(ParsedSql parsed, SqlNode node) {
        return parsed.sql().substring(parsed.offset(node.getParserPosition()), parsed.endOffset(node.getParserPosition()));
    }

    @Test
    void insertExposesOnConflictAndReturning() throws Exception {
        PgInsert insert = (PgInsert) parse("insert into t as x (id, ssn) values ($1, $2) on conflict (id) "
                + "do update set ssn = excluded.ssn where x.n > 0 returning id").statements().get(0).node();
        assertThat(insert.getTargetColumnList()).hasSize(2);
        assertThat(insert.alias().getSimple()).isEqualTo("x");
        PgOnConflict oc = insert.onConflict();
        assertThat(oc.doNothing()).isFalse();
        assertThat(oc.conflictColumns().toString()).isEqualTo("`id`");
        assertThat(oc.targetColumns().toString()).isEqualTo("`ssn`");
        assertThat(oc.sourceExpressions().toString()).isEqualTo("`excluded`.`ssn`");
        assertThat(oc.condition()).isNotNull();
        assertThat(insert.returning()).hasSize(1);
        PgInsert nothing = (PgInsert) parse("insert into t values (1) on conflict do nothing").statements().get(0).node();
        assertThat(nothing.onConflict().doNothing()).isTrue();
        assertThat(nothing.returning()).isNull();
    }

    @Test
    void lockingWrapsTheQuery() throws Exception {
        PgSelectLocking l = (PgSelectLocking) parse("select a from t x for key share of x, y nowait")
                .statements().get(0).node();
        assertThat(l.query()).isInstanceOf(SqlSelect.class);
        assertThat(l.strength()).isEqualTo(PgSelectLocking.Strength.KEY_SHARE);
        assertThat(l.of()).hasSize(2);
        assertThat(l.waitPolicy()).isEqualTo(PgSelectLocking.WaitPolicy.NOWAIT);
        PgSelectLocking share = (PgSelectLocking) parse("select a from t for share").statements().get(0).node();
        assertThat(share.strength()).isEqualTo(PgSelectLocking.Strength.SHARE);
        assertThat(share.of()).isEmpty();
    }

    @Test
    void doubleColonCastsAreCastCallsSpanningExprAndType() throws Exception {
        String sql = "SELECT $1::int8[], -a::numeric(10,2) + 1, (b)::timestamp with time zone, c::interval, "
                + "interval '2 h', d::varchar::text FROM t";
        ParsedSql parsed = parse(sql);
        List<String> casts = new ArrayList<>();
        parsed.statements().get(0).node().accept(new SqlBasicVisitor<Void>() {
            @Override
            public Void visit(SqlCall call) {
                if (call.getKind() == SqlKind.CAST) {
                    casts.add(span(parsed, call) + " AS " + call.operand(1));
                }
                return super.visit(call);
            }
        });
        assertThat(casts).containsExactly(
                "$1::int8[] AS `int8` ARRAY",
                "a::numeric(10,2) AS DECIMAL(10, 2)",
                "(b)::timestamp with time zone AS TIMESTAMP WITH TIME ZONE",
                "c::interval AS `interval`",
                "interval '2 h' AS `interval`",
                "d::varchar::text AS `text`",
                "d::varchar AS VARCHAR");
    }

    @Test
    void distinctOnIsTheSelectsDistinctKeyword() throws Exception {
        SqlSelect select = (SqlSelect) parse("select distinct on (a, t.b) a from t").statements().get(0).node();
        assertThat(select.isDistinct()).isTrue();
        PgDistinctOn on = (PgDistinctOn) select.getModifierNode(SqlSelectKeyword.DISTINCT);
        assertThat(on.expressions().toString()).isEqualTo("`a`, `t`.`b`");
    }

    @Test
    void softKeywordsStayUsableAsNames() throws Exception {
        assertThat(Leaves.of(parse("select skip, share, nothing, conflict, locked, nowait, key from t")))
                .containsExactly("id:skip", "id:share", "id:nothing", "id:conflict", "id:locked", "id:nowait",
                        "id:key", "id:t");
    }

    @Test
    void textPostgresReadsDifferentlyIsRefusedNotMisread() {
        // PostgreSQL: a typed literal; Calcite's BABEL would read a column aliased '1'.
        for (String sql : List.of("select int4 '1' from t", "select ssn 'x' from t",
                "select * from (select a from t for update) s", "select a from t for update limit 1")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(sql)).as(sql)
                    .isInstanceOf(SqlSyntaxException.class);
        }
    }

    @Test
    void sessionStatementsStillParse() throws Exception {
        for (String sql : List.of("SET search_path = s", "RESET search_path", "RESET ALL", "ALTER SYSTEM SET x = 1")) {
            assertThat(parse(sql).statements().get(0).node().getKind()).as(sql).isEqualTo(SqlKind.SET_OPTION);
        }
    }
}
