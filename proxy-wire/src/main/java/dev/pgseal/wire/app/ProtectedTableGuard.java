package dev.pgseal.wire.app;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.StatementScreen;
import dev.pgseal.wire.SessionHooks;
import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.protocol.Wire;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.session.PendingResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Fail-closed guard for a policy in force while pgseal cannot yet rewrite statements: a statement
 * that mentions a protected table, reaches into schema {@code pgseal}, or cannot be tokenized while
 * a policy is in force, never reaches PostgreSQL as written. It is replaced by a {@code DO} block
 * that makes PostgreSQL itself raise the refusal (SQLSTATE {@code 0A000}, or {@code 42501} for schema
 * pgseal), so the client gets a proper ErrorResponse at the right place in its pipeline and an open
 * transaction is aborted exactly as if the statement had failed in PostgreSQL. A refused prepared
 * statement is bound with no parameters, so its values never reach PostgreSQL either.
 *
 * <p>Statements that mention no protected table pass untouched (the fast path: a tokenizer scan, no
 * parse). The screen follows policy reloads.
 */
public final class ProtectedTableGuard implements SessionHooks {

    /** SQLSTATE feature_not_supported. */
    static final String NOT_SUPPORTED = "0A000";
    /** SQLSTATE insufficient_privilege. */
    static final String NO_PRIVILEGE = "42501";

    private final AtomicReference<Screen> screen = new AtomicReference<>();

    private record Screen(Policy policy, StatementScreen screen) {
    }

    /** A guard for {@code policy}; call {@link #policyChanged(Policy)} when it is reloaded. */
    public ProtectedTableGuard(Policy policy) {
        policyChanged(policy);
    }

    /** Uses {@code policy} for statements screened from now on. */
    public void policyChanged(Policy policy) {
        screen.set(new Screen(policy, StatementScreen.of(policy)));
    }

    @Override
    public StatementInterceptor openSession(SessionInfo session) {
        return new Guard();
    }

    /** The refusal for {@code sql}, or null when it may pass. */
    String refusal(String sql) {
        Screen s = screen.get();
        StatementScreen.Screening found = s.screen().screen(sql);
        if (found.isPassThrough()) {
            return null;
        }
        if (found.touchesPgsealSchema()) {
            return NO_PRIVILEGE + "pgseal: access to schema pgseal (pgseal's keys, audit log and jobs) through the "
                    + "proxy is not allowed";
        }
        if (found.unreadable().isPresent()) {
            return NOT_SUPPORTED + "pgseal: statement refused: it cannot be read (" + found.unreadable().get()
                    + ") and a policy protects columns of this database";
        }
        String tables = found.protectedTables().stream()
                .map(t -> describe(s.policy(), t))
                .collect(Collectors.joining("; "));
        return NOT_SUPPORTED + "pgseal: statement refused: it uses " + tables + ", and this pgseal version cannot "
                + "yet encrypt or decrypt protected columns in SQL statements";
    }

    private static String describe(Policy policy, QualifiedName table) {
        TablePolicy t = policy.table(table).orElseThrow();
        return "table " + table.toSql() + " (protected columns "
                + t.columns().stream().map(c -> c.name()).collect(Collectors.joining(", ")) + ")";
    }

    /** {@code DO} block raising {@code refusal} (5-character SQLSTATE, then the message). */
    static String raiseStatement(String refusal) {
        String code = refusal.substring(0, 5);
        String message = refusal.substring(5).replace("$", "").replace("'", "''");
        return "DO $pgseal$BEGIN RAISE EXCEPTION USING ERRCODE = '" + code + "', MESSAGE = '" + message
                + "'; END$pgseal$";
    }

    /** One session's view: remembers which of its prepared statements were refused. */
    private final class Guard implements StatementInterceptor {

        private final Set<String> refusedStatements = new HashSet<>();

        @Override
        public ByteBuf onQuery(Query query, PendingResponse entry) {
            String refusal = refusal(query.sql());
            return refusal == null ? null : queryFrame(raiseStatement(refusal));
        }

        @Override
        public ByteBuf onParse(Parse parse, PendingResponse entry) {
            String refusal = refusal(parse.sql());
            if (refusal == null) {
                refusedStatements.remove(parse.name());
                return null;
            }
            refusedStatements.add(parse.name());
            return parseFrame(parse.name(), raiseStatement(refusal));
        }

        @Override
        public ByteBuf onBind(Bind bind, PendingResponse entry) {
            return refusedStatements.contains(bind.statement()) ? emptyBindFrame(bind.portal(), bind.statement()) : null;
        }
    }

    private static ByteBuf queryFrame(String sql) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte('Q').writeInt(0);
        Wire.writeCString(b, sql);
        return withLength(b);
    }

    private static ByteBuf parseFrame(String name, String sql) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte('P').writeInt(0);
        Wire.writeCString(b, name);
        Wire.writeCString(b, sql);
        b.writeShort(0);
        return withLength(b);
    }

    private static ByteBuf emptyBindFrame(String portal, String statement) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte('B').writeInt(0);
        Wire.writeCString(b, portal);
        Wire.writeCString(b, statement);
        b.writeShort(0).writeShort(0).writeShort(0);
        return withLength(b);
    }

    private static ByteBuf withLength(ByteBuf frame) {
        frame.setInt(1, frame.writerIndex() - 1);
        return frame;
    }
}
