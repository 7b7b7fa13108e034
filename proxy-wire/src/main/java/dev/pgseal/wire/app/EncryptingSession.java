package dev.pgseal.wire.app;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.policy.CatalogFacts;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.CatalogView;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ParameterPlan;
import dev.pgseal.sql.Splice;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.sql.StatementScreen;
import dev.pgseal.sql.TextEdit;
import dev.pgseal.sql.ValueUse;
import dev.pgseal.wire.Interception;
import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.crypto.ColumnAccess;
import dev.pgseal.wire.crypto.KeyNotReadyException;
import dev.pgseal.wire.crypto.KeyReadiness;
import dev.pgseal.wire.crypto.LiteralRendering;
import dev.pgseal.wire.crypto.ParameterEncryption;
import dev.pgseal.wire.crypto.ProtectedValueException;
import dev.pgseal.wire.crypto.ResultDecryption;
import dev.pgseal.wire.crypto.SessionZone;
import dev.pgseal.wire.protocol.FrameWriter;
import dev.pgseal.wire.protocol.Wire;
import dev.pgseal.wire.protocol.backend.ParameterDescription;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.Close;
import dev.pgseal.wire.protocol.frontend.Describe;
import dev.pgseal.wire.protocol.frontend.FunctionCall;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.session.PendingResponse;
import dev.pgseal.wire.session.RefusalStatement;
import dev.pgseal.wire.session.ResponseKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transparent column encryption for one session of a covered database: every Query and Parse is
 * read as PostgreSQL will read it ({@link StatementReader}) and planned
 * ({@link dev.pgseal.sql.StatementPlanner}); what touches no protected column passes untouched,
 * what pgseal cannot handle safely is refused by PostgreSQL itself ({@link Interception#refuse}),
 * and the rest is rewritten: literals encrypted in the text, parameter types declared {@code bytea},
 * Bind values encrypted, ParameterDescription and RowDescription showing the logical types, and
 * DataRows decrypted into the format each column was requested in (per the session's roles).
 *
 * <p><b>Plans follow what PostgreSQL confirmed.</b> The plan is attached to the message's FIFO entry
 * and travels with the statement and portal (see {@link StatementInterceptor}): a Parse carries a
 * {@link StatementState} (plan, the client's declared parameter types, the statement's last
 * RowDescription), a Bind a {@link PortalState} (that statement plus the Bind's result formats),
 * a Query a {@link QueryState}. A Bind of a statement whose RowDescription pgseal has not seen yet
 * gets an injected Describe(P) behind it, whose answer pgseal consumes, so rows of a cached
 * statement executed with no Describe in the pipeline are still decrypted in the right format.
 *
 * <p><b>Several readings.</b> While earlier messages are in flight (pipelining), the statement is
 * planned under every reading the settings in flight allow; unless all give the same plan it is
 * refused ({@code 0A000}). Rewritten literals are then written as {@code E'\\x…'}, which means the
 * same under either {@code standard_conforming_strings}.
 *
 * <p><b>Keys.</b> Before a rewritten statement is sent, every key ring it uses must be in memory
 * with all live versions ({@link KeyReadiness#readyToMatch}); otherwise the session suspends while
 * the rings are warmed off the event loop, then decides again (a ring still missing: {@code 58000}).
 *
 * <p><b>Errors.</b> An invalid value in a Bind ({@code 22P02}, {@code 22003}, {@code 42804}, …) makes
 * the portal a refusal: pgseal prepares a {@code DO} block that raises the error, binds the client's
 * portal to it with no values and closes the statement again, so PostgreSQL raises the error when
 * the portal is executed and the transaction fails as it would have. A DataRow pgseal cannot
 * deliver (a value that is not a valid envelope, a column the roles may not read under
 * {@code on_unauthorized: error}, a key version not in memory) ends the session: the session seam
 * cannot hold back a backend row yet (see {@code docs/proxy.md}).
 */
final class EncryptingSession implements StatementInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptingSession.class);

    /** The prepared statement a refused Bind is bound to (created and closed around that Bind). */
    static final String REFUSED_BIND_STATEMENT = "pgseal_refused_bind";

    /**
     * What sessions need of the key service: the cipher, non-blocking readiness, and loads that run
     * off the event loop.
     *
     * @param cipher encrypts and decrypts (only with keys reported ready)
     * @param readiness answers from memory
     * @param warm loads every live version of the named rings, elsewhere
     * @param loadForDecryption loads one (ring id, version), elsewhere
     */
    record Keys(ColumnCipher cipher, KeyReadiness readiness, Function<Collection<String>, CompletionStage<?>> warm,
            BiFunction<Integer, Integer, CompletionStage<?>> loadForDecryption) {

        /** The key service's, with loads on {@code loads} (never an event loop). */
        static Keys of(KeyService keys, Executor loads) {
            return new Keys(ColumnCipher.create(keys), KeyReadiness.of(keys), rings -> keys.warmAsync(rings, loads),
                    (ring, version) -> keys.loadForDecryptionAsync(ring, version, loads));
        }
    }

    /** Session settings captured on the event loop for one decision (a suspended one finishes elsewhere). */
    private record Settings(Charset charset, boolean settled, boolean standardConformingStrings, ZoneId zone) {
        boolean utf8() {
            return charset.equals(StandardCharsets.UTF_8);
        }

        /** Zone for values; UTC only stands in where no timestamptz is involved (checked before). */
        ZoneId zoneOrUtc() {
            return zone == null ? ZoneOffset.UTC : zone;
        }
    }

    /** A prepared statement's plan as PostgreSQL confirmed it, with what Bind and results need. */
    static final class StatementState {
        final StatementPlan.Rewrite plan;
        final int[] clientTypes;
        /** The latest RowDescription PostgreSQL gave for it (as PostgreSQL sent it), or null. */
        RowDescription lastDescription;

        StatementState(StatementPlan.Rewrite plan, int[] clientTypes) {
            this.plan = plan;
            this.clientTypes = clientTypes;
        }
    }

    /** A portal: its statement, the Bind's result formats, and the row decryptor once known. */
    static final class PortalState {
        final StatementState statement;
        final short[] resultFormats;
        final ZoneId zone;
        RowDescription description;
        ResultDecryption.RowDecryptor rows;

        PortalState(StatementState statement, short[] resultFormats, ZoneId zone) {
            this.statement = statement;
            this.resultFormats = resultFormats;
            this.zone = zone;
        }
    }

    /** A simple Query: its plan and the decryptor of the current statement's rows. */
    static final class QueryState {
        final StatementPlan.Rewrite plan;
        final ZoneId zone;
        ResultDecryption.RowDecryptor rows;

        QueryState(StatementPlan.Rewrite plan, ZoneId zone) {
            this.plan = plan;
            this.zone = zone;
        }
    }

    private final SessionInfo session;
    private final ProtectedTableGuard guard;
    private final CatalogFacts facts;
    private final CatalogView view;
    private final ColumnAccess access;
    private final Keys keys;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    EncryptingSession(SessionInfo session, ProtectedTableGuard guard, CatalogFacts facts, CatalogView view,
            ColumnAccess access, Keys keys) {
        this.session = session;
        this.guard = guard;
        this.facts = facts;
        this.view = view;
        this.access = access;
        this.keys = keys;
    }

    // ---------------------------------------------------------------- planning

    /** The plan of a statement's bytes under every reading that counts now. */
    StatementPlan plan(byte[] sql) {
        ProtectedTableGuard.Screen current = guard.current();
        List<StatementReader.Reading> readings = StatementReader.readings(sql, session, current.nonAsciiNames());
        if (readings.isEmpty()) {
            return new StatementPlan.Refused(ProtectedTableGuard.NOT_SUPPORTED, "pgseal: statement refused: the "
                    + "session's client_encoding is not one pgseal can read statements in");
        }
        StatementReader.Reading confirmed = readings.get(0);
        StatementPlan plan = current.planner().plan(confirmed.text(), confirmed.lexing(), view);
        for (StatementReader.Reading r : readings.subList(1, readings.size())) {
            StatementScreen.Screening s = current.screen().screen(r.text(), r.lexing());
            if (s.isPassThrough() && plan instanceof StatementPlan.PassThrough) {
                continue;
            }
            if (s.unreadable().isPresent() && s.protectedTables().isEmpty() && !s.touchesPgsealSchema()
                    && s.refusal().isEmpty()) {
                continue; // text that does not lex that way fails in PostgreSQL with a syntax error
            }
            StatementPlan other = current.planner().plan(r.text(), r.lexing(), view);
            if (!other.equals(plan)) {
                return new StatementPlan.Refused(ProtectedTableGuard.NOT_SUPPORTED, "pgseal: statement refused: it "
                        + "uses protected columns and reads differently under session settings still in flight "
                        + "(standard_conforming_strings or client_encoding); send it once the change is confirmed");
            }
        }
        if (plan instanceof StatementPlan.Rewrite && (confirmed.malformed() || !supportsRewrite(confirmed.charset()))) {
            return new StatementPlan.Refused(ProtectedTableGuard.NOT_SUPPORTED, "pgseal: statement refused: it uses "
                    + "protected columns and is not valid text in the session's client_encoding");
        }
        return plan;
    }

    /** Edits are written back in the statement's encoding; one that cannot encode every character is refused. */
    private static boolean supportsRewrite(Charset charset) {
        return charset.canEncode();
    }

    private Settings settings() {
        String encoding = session.serverParameter("client_encoding");
        Charset charset = encoding == null || !dev.pgseal.wire.session.ClientEncodings.isSupported(encoding)
                ? StandardCharsets.UTF_8
                : dev.pgseal.wire.session.ClientEncodings.charset(encoding);
        String scs = session.serverParameter("standard_conforming_strings");
        boolean standard = scs == null || scs.equalsIgnoreCase("on");
        ZoneId zone = SessionZone.parse(session.serverParameter("TimeZone")).orElse(null);
        return new Settings(charset, session.settled(), standard, zone);
    }

    // ---------------------------------------------------------------- client messages

    @Override
    public Interception interceptQuery(Query query, PendingResponse entry) {
        byte[] sql = query.sqlBytes();
        StatementPlan plan = plan(sql);
        if (!(plan instanceof StatementPlan.Rewrite rewrite)) {
            return decided(plan);
        }
        Settings settings = settings();
        return whenReady(rewrite, settings, () -> {
            byte[] text = render(sql, rewrite.edits(), settings);
            if (entry != null) {
                entry.attach(new QueryState(rewrite, settings.zoneOrUtc()));
            }
            if (rewrite.edits().isEmpty()) {
                return Interception.pass();
            }
            ByteBuf frame = FrameWriter.start(alloc, 'Q', text.length + 1);
            FrameWriter.writeCString(frame, text);
            return Interception.replace(FrameWriter.finish(frame));
        }, this::refuse);
    }

    @Override
    public Interception interceptParse(Parse parse, PendingResponse entry) {
        byte[] sql = parse.sqlBytes();
        StatementPlan plan = plan(sql);
        if (!(plan instanceof StatementPlan.Rewrite rewrite)) {
            return decided(plan);
        }
        Settings settings = settings();
        int[] clientTypes = parse.parameterTypes();
        return whenReady(rewrite, settings, () -> {
            byte[] text = render(sql, rewrite.edits(), settings);
            int[] types = ParameterEncryption.parseTypes(clientTypes, rewrite.parameters());
            if (entry != null) {
                entry.attach(new StatementState(rewrite, clientTypes));
            }
            ByteBuf frame = FrameWriter.start(alloc, 'P', parse.name().length() * 3 + text.length + 8 + types.length * 4);
            Wire.writeCString(frame, parse.name());
            FrameWriter.writeCString(frame, text);
            frame.writeShort(types.length);
            for (int t : types) {
                frame.writeInt(t);
            }
            return Interception.replace(FrameWriter.finish(frame));
        }, this::refuse);
    }

    @Override
    public Interception interceptBind(Bind bind, PendingResponse entry) {
        if (entry == null) {
            // PostgreSQL discards this Bind (skipping to Sync, or inside COPY): its values need not travel.
            return bind.parameterCount() == 0 ? Interception.pass()
                    : Interception.replace(new Bind(bind.portal(), bind.statement(), new short[0], new byte[0][],
                            new short[0]).encode(alloc));
        }
        if (!(entry.attachment() instanceof StatementState statement)) {
            return Interception.pass();
        }
        Settings settings = settings();
        if (statement.lastDescription != null) {
            ResultDecryption known = ResultDecryption.plan(statement.lastDescription, facts, statement.plan.results(), 0,
                    access);
            if (known.deniedColumn().isPresent()) {
                return refuseBind(bind, entry, new SessionRefusal(ProtectedValueException.INSUFFICIENT_PRIVILEGE,
                        "pgseal: permission denied to read column " + known.deniedColumn().get()));
            }
        }
        return whenReady(statement.plan, settings, () -> {
            Bind encrypted = ParameterEncryption.encrypt(bind, statement.clientTypes, statement.plan.parameters(),
                    keys.cipher(), settings.zoneOrUtc());
            PortalState portal = new PortalState(statement, bind.resultFormats(), settings.zoneOrUtc());
            entry.attach(portal);
            List<Interception.Outgoing> frames = new ArrayList<>(2);
            frames.add(Interception.Outgoing.answered(encrypted.encode(alloc)));
            if (statement.lastDescription == null) {
                // Not described yet (or only later in this pipeline): learn the result's columns for its rows.
                frames.add(Interception.Outgoing.injected(new Describe('P', bind.portal()).encode(alloc)));
            }
            return Interception.replace(frames);
        }, refusal -> refuseBind(bind, entry, refusal));
    }

    @Override
    public Interception interceptFunctionCall(FunctionCall call, PendingResponse entry) {
        SessionRefusal refusal = ProtectedTableGuard.functionCallRefusal(call.functionOid());
        return refusal == null ? Interception.pass() : Interception.refuse(refusal);
    }

    @Override
    public SessionRefusal onParameterStatus(ParameterStatus status) {
        return ProtectedTableGuard.encodingRefusal(status);
    }

    private static Interception decided(StatementPlan plan) {
        if (plan instanceof StatementPlan.Refused r) {
            return Interception.refuse(new SessionRefusal(r.sqlState(), r.message()));
        }
        return Interception.pass();
    }

    private Interception refuse(SessionRefusal refusal) {
        return Interception.refuse(refusal);
    }

    /**
     * A Bind whose values pgseal will not send: the client's portal is bound, with no values, to a
     * statement that raises {@code refusal} when executed; that statement is closed right after.
     */
    private Interception refuseBind(Bind bind, PendingResponse entry, SessionRefusal refusal) {
        entry.attach(null);
        return Interception.replace(List.of(
                Interception.Outgoing.injected(new Parse(REFUSED_BIND_STATEMENT, RefusalStatement.sql(refusal), new int[0])
                        .encode(alloc)),
                Interception.Outgoing.answered(new Bind(bind.portal(), REFUSED_BIND_STATEMENT, new short[0],
                        new byte[0][], new short[0]).encode(alloc)),
                Interception.Outgoing.injected(new Close('S', REFUSED_BIND_STATEMENT).encode(alloc))));
    }

    /** What a decision needs that may run once keys are loaded. */
    @FunctionalInterface
    private interface Step {
        Interception run();
    }

    /**
     * Checks writers and the time zone, then runs {@code step} now when every key ring of the plan
     * is in memory, or suspends the session while they load. A value error in {@code step} (or a
     * key that turns out unusable) becomes {@code onRefusal}'s decision.
     */
    private Interception whenReady(StatementPlan.Rewrite plan, Settings settings, Step step,
            Function<SessionRefusal, Interception> onRefusal) {
        SessionRefusal refusal = writeRefusal(plan);
        if (refusal == null && settings.zone() == null && usesTimestamptz(plan)) {
            refusal = new SessionRefusal("22023", "pgseal: the session's TimeZone " + ascii(session.serverParameter(
                    "TimeZone")) + " has no exact equivalent in pgseal; timestamptz columns cannot be used with it");
        }
        if (refusal != null) {
            return onRefusal.apply(refusal);
        }
        Set<String> missing = notReady(plan.rings());
        if (missing.isEmpty()) {
            return attempt(step, onRefusal);
        }
        CompletionStage<Interception> later = keys.warm().apply(missing).handle((done, failure) -> {
            if (failure != null) {
                LOG.warn("key rings {} could not be loaded: {}", missing, failure.getMessage());
            }
            Set<String> still = notReady(missing);
            if (!still.isEmpty()) {
                return onRefusal.apply(new SessionRefusal(ProtectedValueException.KEY_UNAVAILABLE,
                        "pgseal: the keys of key ring " + String.join(", ", still) + " are not available"));
            }
            return attempt(step, onRefusal);
        });
        return Interception.suspend(later);
    }

    private static Interception attempt(Step step, Function<SessionRefusal, Interception> onRefusal) {
        try {
            return step.run();
        } catch (ProtectedValueException e) {
            return onRefusal.apply(new SessionRefusal(e.sqlState(), ascii(e.getMessage())));
        } catch (KeyUnavailableException | KeyNotReadyException e) {
            return onRefusal.apply(new SessionRefusal(ProtectedValueException.KEY_UNAVAILABLE,
                    "pgseal: a key the statement needs is not available"));
        }
    }

    private Set<String> notReady(Set<String> rings) {
        Set<String> missing = new TreeSet<>();
        for (String ring : rings) {
            if (!keys.readiness().readyToMatch(ring)) {
                missing.add(ring);
            }
        }
        return missing;
    }

    /** 42501 when the plan stores a value in a column the session's roles may not write. */
    private SessionRefusal writeRefusal(StatementPlan.Rewrite plan) {
        for (ColumnRef target : storeTargets(plan)) {
            if (!access.canWrite(target.column())) {
                return new SessionRefusal(ProtectedValueException.INSUFFICIENT_PRIVILEGE,
                        "pgseal: permission denied to write column " + target.describe());
            }
        }
        return null;
    }

    private static List<ColumnRef> storeTargets(StatementPlan.Rewrite plan) {
        List<ColumnRef> out = new ArrayList<>();
        for (ParameterPlan p : plan.parameters()) {
            if (p.use() == ValueUse.STORE) {
                out.add(p.target());
            }
        }
        for (TextEdit e : plan.edits()) {
            for (Splice s : e.pieces()) {
                if (s instanceof Splice.Encrypted enc && enc.use() == ValueUse.STORE) {
                    out.add(enc.target());
                }
            }
        }
        return out;
    }

    /** Whether a timestamptz value of the policy may pass in either direction (by plan or by result origin). */
    private boolean usesTimestamptz(StatementPlan.Rewrite plan) {
        for (TablePolicy t : guard.current().policy().tables()) {
            for (ColumnPolicy c : t.columns()) {
                if (c.type().kind() == LogicalType.Kind.TIMESTAMPTZ) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The statement's bytes with the plan's edits applied (literals encrypted), in its encoding. */
    private byte[] render(byte[] sql, List<TextEdit> edits, Settings settings) {
        if (edits.isEmpty()) {
            return sql;
        }
        // While settings are in flight, E'\\x…' reads the same under either standard_conforming_strings.
        LiteralRendering rendering = new LiteralRendering(keys.cipher(), settings.zoneOrUtc(),
                settings.settled() && settings.standardConformingStrings());
        if (settings.utf8()) {
            return rendering.applyUtf8(sql, edits);
        }
        String text = new String(sql, settings.charset());
        return rendering.apply(text, edits).getBytes(settings.charset());
    }

    // ---------------------------------------------------------------- results

    @Override
    public ParameterDescription rewriteParameterDescription(ParameterDescription description, PendingResponse entry) {
        if (entry.attachment() instanceof StatementState statement && !statement.plan.parameters().isEmpty()) {
            return new ParameterDescription(ParameterEncryption.describedTypes(description.typeOids(),
                    statement.clientTypes, statement.plan.parameters()));
        }
        return description;
    }

    @Override
    public RowDescription rewriteRowDescription(RowDescription description, PendingResponse entry) {
        Object a = entry.attachment();
        if (a instanceof QueryState query) {
            ResultDecryption d = ResultDecryption.plan(description, facts, query.plan.results(), entry.resultIndex(),
                    access);
            query.rows = d.changesRows() ? d.rows(null, keys.cipher(), keys.readiness(), query.zone) : null;
            return d.description();
        }
        if (a instanceof StatementState statement) {
            statement.lastDescription = description;
            return ResultDecryption.plan(description, facts, statement.plan.results(), 0, access).description();
        }
        if (a instanceof PortalState portal) {
            return described(portal, description).description();
        }
        return description;
    }

    /** Records a portal's RowDescription (also its statement's) and plans its rows. */
    private ResultDecryption described(PortalState portal, RowDescription description) {
        portal.description = description;
        portal.statement.lastDescription = description;
        ResultDecryption d = ResultDecryption.plan(description, facts, portal.statement.plan.results(), 0, access);
        portal.rows = d.rows(portal.resultFormats, keys.cipher(), keys.readiness(), portal.zone);
        return d;
    }

    @Override
    public void onInjectedResponse(ByteBuf frame, PendingResponse entry) {
        if (entry.kind() == ResponseKind.DESCRIBE_PORTAL && frame.getByte(frame.readerIndex()) == 'T'
                && entry.attachment() instanceof PortalState portal) {
            RowDescription d = RowDescription.decode(frame.slice(frame.readerIndex() + Wire.HEADER_BYTES,
                    frame.readableBytes() - Wire.HEADER_BYTES));
            described(portal, d);
        }
    }

    @Override
    public ByteBuf onDataRow(ByteBuf frame, PendingResponse entry) {
        ResultDecryption.RowDecryptor rows = null;
        Object a = entry.attachment();
        if (a instanceof QueryState query) {
            rows = query.rows;
        } else if (a instanceof PortalState portal && entry.kind() == ResponseKind.EXECUTE) {
            rows = portal.rows;
            if (rows == null) {
                rows = rowsFromStatement(portal);
            }
        }
        if (rows == null) {
            return frame;
        }
        try {
            return rows.apply(frame, alloc);
        } catch (KeyNotReadyException e) {
            // The session cannot hold back this row while the key loads: load it for the next
            // statement and end this session (see the class comment).
            keys.loadForDecryption().apply(e.ringId(), e.version());
            throw new ProtectedValueException(ProtectedValueException.KEY_UNAVAILABLE, "pgseal: a key version "
                    + "needed to decrypt a result row was not in memory");
        }
    }

    /** A portal executed with no RowDescription of its own: the statement's latest. */
    private ResultDecryption.RowDecryptor rowsFromStatement(PortalState portal) {
        RowDescription d = portal.statement.lastDescription;
        if (d == null) {
            throw new ProtectedValueException(ProtectedValueException.DATA_CORRUPTED, "pgseal: rows of a rewritten "
                    + "statement arrived before any description of its columns");
        }
        ResultDecryption plan = ResultDecryption.plan(d, facts, portal.statement.plan.results(), 0, access);
        portal.rows = plan.rows(portal.resultFormats, keys.cipher(), keys.readiness(), portal.zone);
        return portal.rows;
    }

    private static String ascii(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
