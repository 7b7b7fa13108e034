package dev.pgseal.wire.app;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.policy.CatalogFacts;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.CatalogView;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ParameterPlan;
import dev.pgseal.sql.ResultOrigin;
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
import dev.pgseal.wire.crypto.ErrorRedaction;
import dev.pgseal.wire.crypto.KeyNotReadyException;
import dev.pgseal.wire.crypto.KeyReadiness;
import dev.pgseal.wire.crypto.LiteralRendering;
import dev.pgseal.wire.crypto.MatchSlots;
import dev.pgseal.wire.crypto.ParameterEncryption;
import dev.pgseal.wire.crypto.ProtectedValueException;
import dev.pgseal.wire.crypto.ResultDecryption;
import dev.pgseal.wire.crypto.SessionZone;
import dev.pgseal.wire.protocol.FrameWriter;
import dev.pgseal.wire.protocol.FrontendMessageType;
import dev.pgseal.wire.protocol.Wire;
import dev.pgseal.wire.protocol.backend.ErrorFields;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.protocol.backend.ParameterDescription;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.Close;
import dev.pgseal.wire.protocol.frontend.Describe;
import dev.pgseal.wire.protocol.frontend.Execute;
import dev.pgseal.wire.protocol.frontend.Flush;
import dev.pgseal.wire.protocol.frontend.FunctionCall;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.protocol.frontend.Sync;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;
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
 * the portal is executed and the transaction fails as it would have. A DataRow needing a key
 * version that is not in memory pauses the backend direction while that version loads off the event
 * loop ({@link RetryLater}), then the same row is decrypted. A DataRow pgseal cannot deliver (a value
 * that is not a valid envelope: {@code XX001}; a column the roles may not read under
 * {@code on_unauthorized: error} that no check before execution could see: {@code 42501}; a key that
 * cannot be loaded: {@code 58000}) ends the session with that error as FATAL ({@link EndSession}):
 * PostgreSQL has already executed the statement, so no ordinary error could leave the client's view
 * of the transaction right.
 */
final class EncryptingSession implements StatementInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptingSession.class);

    /** The prepared statement a refused Bind is bound to (created and closed around that Bind). */
    static final String REFUSED_BIND_STATEMENT = "pgseal_refused_bind";

    /** The prefix of the statement and portal names pgseal sends in a client's session (refused to clients). */
    static final String RESERVED_PREFIX = "pgseal_";

    /**
     * The statement a Bind goes through when its equality values have more envelopes than the
     * client's statement has slots (prepared, bound and closed around that Bind).
     */
    static final String WIDE_MATCH_STATEMENT = "pgseal_wide_match";

    /**
     * What sessions need of the key service: the cipher, non-blocking readiness, and loads that run
     * off the event loop.
     *
     * @param cipher encrypts and decrypts (only with keys reported ready)
     * @param readiness answers from memory
     * @param warm loads every live version of the named rings, elsewhere
     * @param loadForDecryption loads one (ring id, version), elsewhere
     * @param liveVersions the live versions of a ring whose keys are in memory (answers from memory)
     */
    record Keys(ColumnCipher cipher, KeyReadiness readiness, Function<Collection<String>, CompletionStage<?>> warm,
            BiFunction<Integer, Integer, CompletionStage<?>> loadForDecryption, ToIntFunction<String> liveVersions) {

        /** The key service's, with loads on {@code loads} (never an event loop). */
        static Keys of(KeyService keys, Executor loads) {
            return new Keys(ColumnCipher.create(keys), KeyReadiness.of(keys), rings -> keys.warmAsync(rings, loads),
                    (ring, version) -> keys.loadForDecryptionAsync(ring, version, loads),
                    ring -> keys.liveKeys(ring).size());
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
        final Positions positions;
        /** How its equality parameters travel (see {@link MatchSlots}). */
        final MatchSlots slots;
        /** The client's text, to prepare it again when a Bind's values do not fit {@link #slots}. */
        final byte[] sql;
        /** The latest RowDescription PostgreSQL gave for it (as PostgreSQL sent it), or null. */
        RowDescription lastDescription;
        /**
         * Completes when the answer to the Describe(S) pgseal injected behind the Parse arrived (or
         * will not arrive); null when none was injected.
         */
        CompletableFuture<Void> described;
        /** The last result plan made for it, reused while its inputs stay the same. */
        private ResultPlanMemo resultPlan;

        StatementState(StatementPlan.Rewrite plan, int[] clientTypes, Positions positions, MatchSlots slots,
                byte[] sql) {
            this.plan = plan;
            this.clientTypes = clientTypes;
            this.positions = positions;
            this.slots = slots;
            this.sql = sql;
        }
    }

    /** A result plan and what it was made from (facts and roles by identity: they are replaced, never changed). */
    private record ResultPlanMemo(RowDescription description, CatalogFacts facts, ColumnAccess access,
            ResultDecryption plan) {
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
        final Positions positions;
        ResultDecryption.RowDecryptor rows;

        QueryState(StatementPlan.Rewrite plan, ZoneId zone, Positions positions) {
            this.plan = plan;
            this.zone = zone;
            this.positions = positions;
        }
    }

    /**
     * Where a session finds its database's catalog facts and a role's access as they are now: both
     * change (a policy reload re-checks the database; {@code SET ROLE} changes the role). Futures
     * complete off the event loop; a completed one answers at once.
     */
    interface Context {
        /** The database's verdict under the policy in force. */
        CompletableFuture<PolicyEnforcement.Verdict> catalog(String database);

        /** What {@code role} (and the policy roles it is a member of) may do in {@code database}. */
        CompletableFuture<ColumnAccess> access(String database, String role);
    }

    /** The named statement and portal of the role probe (closed again in the probe's own Sync group). */
    static final String ROLE_PROBE = "pgseal_role_probe";
    /**
     * Statements that may change the current role (lexically; a false alarm only costs one probe). A
     * change this misses (one behind a comment, or in a function) leaves the session with its session
     * user's rights, which include those of every role it can switch to.
     */
    private static final Pattern ROLE_CHANGE = Pattern.compile("(?i)(?:^|;)\\s*(?:(?:set|reset)\\s+(?:(?:session|local)"
            + "\\s+)?(?:role|session\\s+authorization|authorization|all)\\b|discard\\s+all\\b)|\\bset_config\\b");
    /** Statements that may end a transaction, undoing a SET (LOCAL) of the role made in it. */
    private static final Pattern TRANSACTION_END = Pattern.compile("(?i)\\b(?:rollback|abort|commit|end|prepare)\\b");

    private final SessionInfo session;
    private final ProtectedTableGuard guard;
    private final Context context;
    private CatalogFacts facts;
    private CatalogView view;
    private ColumnAccess access;
    private final Keys keys;
    /** The current role as PostgreSQL last confirmed it (current_user). */
    private String role;
    /** A statement may have changed the role since PostgreSQL last confirmed it. */
    private boolean roleStale;
    /** The session ran a statement that may change the role: transaction ends may change it back. */
    private boolean roleTouched;
    /** The role probe in flight, or null. */
    private CompletableFuture<String> roleProbe;
    /** The message whose role probe failed (an aborted transaction): it goes on with the role known before. */
    private PendingResponse probeFailedFor;
    /** The catalog verdict the session's facts come from. */
    private PolicyEnforcement.Verdict verdict;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    /** Statements whose injected Describe(S) is not answered yet. */
    private final List<StatementState> awaitingDescription = new ArrayList<>();
    /** {@link #settings()} of the reported values last seen (compared by identity). */
    private Settings lastSettings;
    private String lastEncoding;
    private String lastScs;
    private String lastTimeZone;
    /** The key version the DataRow being retried waits for (null when no row waits). */
    private KeyLoad keyLoad;
    /** COPY FROM STDIN / TO STDOUT of protected tables: their rows are encrypted and decrypted there. */
    private final EncryptedCopy copies;

    /** A key version loaded for a result row. */
    private record KeyLoad(int ring, int version) {
    }

    EncryptingSession(SessionInfo session, ProtectedTableGuard guard, Context context, CatalogFacts facts,
            CatalogView view, ColumnAccess access, Keys keys) {
        this.session = session;
        this.guard = guard;
        this.context = context;
        this.role = session.user();
        this.facts = facts;
        this.view = view;
        this.access = access;
        this.keys = keys;
        this.copies = new EncryptedCopy(session, keys, alloc);
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
            if (!sameShape(sql, plan, confirmed, other, r)) {
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

    /**
     * Whether two readings' plans do the same to the statement's bytes: both pass, refuse alike, or
     * rewrite the same byte spans with the same pieces (text, target column, use, NULL or not) and the
     * same parameter and result plans. The literals' values may differ (a non-ASCII character decodes
     * differently per encoding); the confirmed reading's values are the ones used.
     */
    static boolean sameShape(byte[] sql, StatementPlan a, StatementReader.Reading ra, StatementPlan b,
            StatementReader.Reading rb) {
        if (!(a instanceof StatementPlan.Rewrite x) || !(b instanceof StatementPlan.Rewrite y)) {
            return a.equals(b);
        }
        if (!x.parameters().equals(y.parameters()) || !x.results().equals(y.results()) || !x.rings().equals(y.rings())
                || !x.reads().equals(y.reads())
                || x.edits().size() != y.edits().size()) {
            return false;
        }
        int[] oa = offsets(ra, sql);
        int[] ob = offsets(rb, sql);
        for (int i = 0; i < x.edits().size(); i++) {
            TextEdit ex = x.edits().get(i);
            TextEdit ey = y.edits().get(i);
            if (at(oa, ex.start()) != at(ob, ey.start()) || at(oa, ex.end()) != at(ob, ey.end()) || at(oa, ex.start()) < 0
                    || ex.pieces().size() != ey.pieces().size()) {
                return false;
            }
            for (int j = 0; j < ex.pieces().size(); j++) {
                Splice px = ex.pieces().get(j);
                Splice py = ey.pieces().get(j);
                boolean same = px instanceof Splice.Encrypted cx && py instanceof Splice.Encrypted cy
                        ? cx.target().equals(cy.target()) && cx.use() == cy.use()
                                && cx.value().isPresent() == cy.value().isPresent()
                        : px.equals(py);
                if (!same) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A reading's char → byte offsets, or none when they do not match its text. */
    private static int[] offsets(StatementReader.Reading r, byte[] sql) {
        int[] offsets = charOffsets(sql, r.charset());
        return offsets.length - 1 == r.text().length() ? offsets : new int[0];
    }

    private static int at(int[] offsets, int index) {
        return index < offsets.length ? offsets[index] : -1;
    }

    /**
     * For each char of {@code sql} decoded in {@code charset} (malformed input replaced as the
     * reader replaces it), the offset of the byte it starts at, and the length at the end.
     */
    private static int[] charOffsets(byte[] sql, Charset charset) {
        java.nio.charset.CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(sql);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(2);
        int[] offsets = new int[sql.length * 2 + 1];
        int n = 0;
        while (in.hasRemaining()) {
            int at = in.position();
            out.clear();
            out.limit(1);
            java.nio.charset.CoderResult cr = decoder.decode(in, out, true);
            if (out.position() == 0 && cr.isOverflow()) {
                out.limit(2); // a surrogate pair
                decoder.decode(in, out, true);
            }
            if (out.position() == 0) {
                break;
            }
            for (int i = 0; i < out.position(); i++) {
                offsets[n++] = at;
            }
        }
        out.clear();
        decoder.flush(out);
        offsets[n++] = sql.length;
        return java.util.Arrays.copyOf(offsets, n);
    }

    /** Edits are written back in the statement's encoding; one that cannot encode every character is refused. */
    private static boolean supportsRewrite(Charset charset) {
        return charset.canEncode();
    }

    private Settings settings() {
        String encoding = session.serverParameter("client_encoding");
        String scs = session.serverParameter("standard_conforming_strings");
        String timeZone = session.serverParameter("TimeZone");
        boolean settled = session.settled();
        Settings last = lastSettings;
        // The reported values are the same String objects until PostgreSQL reports a change.
        if (last != null && encoding == lastEncoding && scs == lastScs && timeZone == lastTimeZone
                && settled == last.settled()) {
            return last;
        }
        Settings now = readSettings(encoding, scs, timeZone, settled);
        lastEncoding = encoding;
        lastScs = scs;
        lastTimeZone = timeZone;
        lastSettings = now;
        return now;
    }

    private static Settings readSettings(String encoding, String scs, String timeZone, boolean settled) {
        Charset charset = encoding == null || !dev.pgseal.wire.session.ClientEncodings.isSupported(encoding)
                ? StandardCharsets.UTF_8
                : dev.pgseal.wire.session.ClientEncodings.charset(encoding);
        boolean standard = scs == null || scs.equalsIgnoreCase("on");
        ZoneId zone = SessionZone.parse(timeZone).orElse(null);
        return new Settings(charset, settled, standard, zone);
    }

    // ---------------------------------------------------------------- client messages

    @Override
    public Interception interceptQuery(Query query, PendingResponse entry) {
        byte[] sql = query.sqlBytes();
        Interception wait = refresh();
        if (wait != null) {
            return wait;
        }
        boolean changesRole = noteRoleChange(sql);
        StatementPlan plan = plan(sql);
        copies.queryArrived(entry);
        if (!(plan instanceof StatementPlan.Rewrite rewrite)) {
            return plan instanceof StatementPlan.Copy copy ? copyQuery(copy, entry) : decided(plan);
        }
        if (verdict instanceof PolicyEnforcement.Verdict.Refuse) {
            return Interception.refuse(catalogRefusal());
        }
        if (changesRole) {
            return Interception.refuse(new SessionRefusal(ProtectedTableGuard.NOT_SUPPORTED, "pgseal: statement "
                    + "refused: it uses protected columns in the same query string as a statement that may change "
                    + "the role; send the role change as its own statement"));
        }
        Interception probe = roleProbe(entry);
        if (probe != null) {
            return probe;
        }
        Settings settings = settings();
        return whenReady(rewrite, settings, () -> {
            Rendered rendered = render(sql, rewrite.edits(), settings);
            byte[] text = rendered.text();
            if (entry != null) {
                entry.attach(new QueryState(rewrite, settings.zoneOrUtc(), rendered.positions()));
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
        if (reserved(parse.name())) {
            return Interception.refuse(reservedName("prepared statement", parse.name()));
        }
        byte[] sql = parse.sqlBytes();
        Interception wait = refresh();
        if (wait != null) {
            return wait;
        }
        noteRoleChange(sql);
        StatementPlan plan = plan(sql);
        if (!(plan instanceof StatementPlan.Rewrite rewrite)) {
            return decided(plan);
        }
        if (verdict instanceof PolicyEnforcement.Verdict.Refuse) {
            return Interception.refuse(catalogRefusal());
        }
        Interception probe = roleProbe(entry);
        if (probe != null) {
            return probe;
        }
        Settings settings = settings();
        int[] clientTypes = parse.parameterTypes();
        return whenReady(rewrite, settings, () -> {
            MatchSlots slots = MatchSlots.of(rewrite, clientTypes.length, keys.liveVersions());
            Rendered rendered = render(sql, rewrite.edits(), settings, slots);
            StatementState statement = new StatementState(rewrite, clientTypes, rendered.positions(), slots, sql);
            if (entry != null) {
                entry.attach(statement);
            }
            ByteBuf parseFrame = parseFrame(parse.name(), rendered.text(), slots.parseTypes(clientTypes,
                    rewrite.parameters()));
            if (entry == null || !mayDenyReading()) {
                return Interception.replace(parseFrame);
            }
            // The roles may not read some column under on_unauthorized: error. Learn the statement's
            // columns before its first Bind, so a statement returning one is refused before it runs.
            statement.described = new CompletableFuture<>();
            awaitingDescription.add(statement);
            return Interception.replace(List.of(Interception.Outgoing.answered(parseFrame),
                    Interception.Outgoing.injected(new Describe('S', parse.name()).encode(alloc)),
                    Interception.Outgoing.injected(Flush.INSTANCE.encode(alloc))));
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
        if (reserved(bind.portal())) {
            return refuseBind(bind, entry, reservedName("portal", bind.portal()));
        }
        if (!(entry.attachment() instanceof StatementState statement)) {
            return Interception.pass();
        }
        Interception wait = refresh();
        if (wait != null) {
            return wait;
        }
        if (verdict instanceof PolicyEnforcement.Verdict.Refuse) {
            return refuseBind(bind, entry, catalogRefusal());
        }
        Interception probe = roleProbe(entry);
        if (probe != null) {
            return probe.kind() == Interception.Kind.REFUSE ? refuseBind(bind, entry, probe.refusal()) : probe;
        }
        if (statement.lastDescription == null && statement.described != null && !statement.described.isDone()) {
            // Decided again once the injected Describe(S) is answered.
            return Interception.suspend(statement.described.handle((done, failure) -> Interception.again()));
        }
        Settings settings = settings();
        if (statement.lastDescription != null) {
            ResultDecryption known = resultPlan(statement, statement.lastDescription);
            if (known.deniedColumn().isPresent()) {
                return refuseBind(bind, entry, new SessionRefusal(ProtectedValueException.INSUFFICIENT_PRIVILEGE,
                        "pgseal: permission denied to read column " + known.deniedColumn().get()));
            }
        }
        return whenReady(statement.plan, settings, () -> {
            Bind encrypted = ParameterEncryption.encrypt(bind, statement.clientTypes, statement.plan.parameters(),
                    keys.cipher(), settings.zoneOrUtc(), statement.slots);
            List<Interception.Outgoing> frames = new ArrayList<>(4);
            if (encrypted == null) {
                // A ring gained versions since the statement was prepared: its slots cannot carry every
                // envelope. This execution goes through pgseal's own statement with bytea[] parameters.
                encrypted = ParameterEncryption.encrypt(bind, statement.clientTypes, statement.plan.parameters(),
                        keys.cipher(), settings.zoneOrUtc());
                frames.add(Interception.Outgoing.injected(parseFrame(WIDE_MATCH_STATEMENT,
                        render(statement.sql, statement.plan.edits(), settings, MatchSlots.NONE).text(),
                        ParameterEncryption.parseTypes(statement.clientTypes, statement.plan.parameters()))));
                encrypted = encrypted.toStatement(WIDE_MATCH_STATEMENT);
            }
            PortalState portal = new PortalState(statement, bind.resultFormats(), settings.zoneOrUtc());
            entry.attach(portal);
            frames.add(Interception.Outgoing.answered(encrypted.encode(alloc)));
            if (WIDE_MATCH_STATEMENT.equals(encrypted.statement())) {
                frames.add(Interception.Outgoing.injected(new Close('S', WIDE_MATCH_STATEMENT).encode(alloc)));
            }
            if (statement.lastDescription == null) {
                // Not described yet (or only later in this pipeline): learn the result's columns for its rows.
                frames.add(Interception.Outgoing.injected(new Describe('P', bind.portal()).encode(alloc)));
            }
            return Interception.replace(frames);
        }, refusal -> refuseBind(bind, entry, refusal));
    }

    /**
     * Null when the session's catalog facts and roles are those of the policy in force and the role
     * PostgreSQL confirmed; else a suspension until they are known (a policy reload re-checks the
     * database off the event loop), after which the message is decided again.
     */
    private Interception refresh() {
        CompletableFuture<PolicyEnforcement.Verdict> v = context.catalog(session.database());
        CompletableFuture<ColumnAccess> a = context.access(session.database(), role);
        if (!v.isDone() || !a.isDone()) {
            return Interception.suspend(CompletableFuture.allOf(v, a).handle((done, failure) -> Interception.again()));
        }
        if (v.isCompletedExceptionally() || a.isCompletedExceptionally()) {
            verdict = new PolicyEnforcement.Verdict.Refuse("the catalog or the role's memberships could not be read");
            return null;
        }
        PolicyEnforcement.Verdict now = v.join();
        if (now != verdict) {
            verdict = now;
            if (now instanceof PolicyEnforcement.Verdict.Serve serve) {
                facts = serve.facts();
                view = serve.view();
            }
        }
        access = a.join();
        return null;
    }

    private SessionRefusal catalogRefusal() {
        return new SessionRefusal("55000", "pgseal: database \"" + ascii(session.database()) + "\" does not match "
                + "the encryption policy now in force; see pgseal's log");
    }

    /**
     * Statement and portal names pgseal uses for its own messages in the client's session (the role
     * probe, refused and wide-match Binds): a client's use of one could collide with them.
     */
    static boolean reserved(String name) {
        return name.startsWith(RESERVED_PREFIX);
    }

    private static SessionRefusal reservedName(String what, String name) {
        return new SessionRefusal("42939", "pgseal: " + what + " name \"" + ascii(name) + "\" is reserved: names "
                + "beginning with " + RESERVED_PREFIX + " are pgseal's own in sessions of a database the policy covers");
    }

    /** Notes a statement that may change the role; true when it may. */
    private boolean noteRoleChange(byte[] sql) {
        String text = new String(sql, StandardCharsets.ISO_8859_1); // the keywords are ASCII in every encoding
        if (ROLE_CHANGE.matcher(text).find()) {
            roleStale = true;
            roleTouched = true;
            return true;
        }
        if (roleTouched && TRANSACTION_END.matcher(text).find()) {
            // A SET LOCAL ends, or a SET inside the transaction is rolled back.
            roleStale = true;
        }
        return false;
    }

    /**
     * Null when the role is known for a statement on protected columns; else the probe:
     * {@code select current_user} on a named statement and portal, closed again (so the client's
     * unnamed statement and portal stay as they are), sent ahead of the message, which waits for the
     * answer and the role's memberships, then is decided again.
     */
    private Interception roleProbe(PendingResponse entry) {
        if (!roleStale || entry == null || entry == probeFailedFor) {
            return null;
        }
        CompletableFuture<String> probe = new CompletableFuture<>();
        roleProbe = probe;
        CompletionStage<Interception> later = probe.handle((r, failure) -> {
            if (failure != null) {
                probeFailedFor = entry; // an aborted transaction: the statement fails in PostgreSQL anyway
                return CompletableFuture.<ColumnAccess>completedFuture(null);
            }
            return context.access(session.database(), r);
        }).thenCompose(f -> f).handle((a, failure) -> Interception.again());
        return Interception.suspend(later, List.of(
                new Parse(ROLE_PROBE, "select current_user", new int[0]).encode(alloc),
                new Bind(ROLE_PROBE, ROLE_PROBE, new short[0], new byte[0][], new short[0]).encode(alloc),
                new Execute(ROLE_PROBE, 0).encode(alloc),
                new Close('P', ROLE_PROBE).encode(alloc),
                new Close('S', ROLE_PROBE).encode(alloc),
                // A group of its own at a group start; inside the client's group a Flush gets the answer
                // now (an earlier error there makes PostgreSQL skip the probe and the message alike).
                entry.startsGroup() ? Sync.INSTANCE.encode(alloc) : Flush.INSTANCE.encode(alloc)));
    }

    /** The answers to the role probe. */
    private void onProbeResponse(ByteBuf frame, PendingResponse entry, byte type) {
        CompletableFuture<String> probe = roleProbe;
        if (probe == null) {
            return;
        }
        if (type == 'D' && entry.kind() == ResponseKind.EXECUTE) {
            int at = frame.readerIndex() + Wire.HEADER_BYTES + 2;
            int len = frame.getInt(at);
            if (len > 0) {
                role = frame.toString(at + 4, len, settings().charset());
                roleStale = false;
            }
        } else if (type == 'E') {
            roleProbe = null;
            probe.completeExceptionally(new IllegalStateException("the role probe failed"));
        } else if (type == '3' && entry.kind() == ResponseKind.CLOSE && ROLE_PROBE.equals(entry.statementName())) {
            roleProbe = null;
            if (roleStale) {
                probe.completeExceptionally(new IllegalStateException("the role probe got no answer"));
            } else {
                probe.complete(role);
            }
        }
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
        if (plan instanceof StatementPlan.Copy copy) {
            return Interception.refuse(EncryptedCopy.extendedProtocolRefusal(copy));
        }
        return Interception.pass();
    }

    /** A Query holding one COPY of a protected table: checked as a rewrite is, then {@link EncryptedCopy}'s. */
    private Interception copyQuery(StatementPlan.Copy copy, PendingResponse entry) {
        if (verdict instanceof PolicyEnforcement.Verdict.Refuse) {
            return Interception.refuse(catalogRefusal());
        }
        Interception probe = roleProbe(entry);
        return probe != null ? probe : copies.start(copy, entry, access);
    }

    @Override
    public Interception interceptCopyFromClient(FrontendMessageType type, ByteBuf body) {
        return copies.fromClient(type, body);
    }

    @Override
    public void onCopyResponse(char type, int overallFormat, int columns, PendingResponse entry) {
        copies.onCopyResponse(type, overallFormat, columns, entry);
    }

    @Override
    public ByteBuf onCopyData(ByteBuf frame, PendingResponse entry) {
        return copies.onCopyData(frame, entry);
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
        if (refusal == null) {
            refusal = readRefusal(plan);
        }
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

    /** Whether the policy has a column under {@code on_unauthorized: error} that the session's roles may not read. */
    private boolean mayDenyReading() {
        for (TablePolicy t : guard.current().policy().tables()) {
            for (ColumnPolicy c : t.columns()) {
                if (c.onUnauthorized() == OnUnauthorized.ERROR && !access.canRead(c)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** 42501 when the plan knows a result column the session's roles may not read under {@code on_unauthorized: error}. */
    private SessionRefusal readRefusal(StatementPlan.Rewrite plan) {
        List<ColumnRef> read = new ArrayList<>(plan.reads());
        plan.results().forEach(o -> read.add(o.target()));
        for (ColumnRef c : read) {
            if (c.column().onUnauthorized() == OnUnauthorized.ERROR && !access.canRead(c.column())) {
                return new SessionRefusal(ProtectedValueException.INSUFFICIENT_PRIVILEGE,
                        "pgseal: permission denied to read column " + c.describe());
            }
        }
        return null;
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

    /** A Parse of {@code text} (already in the client's encoding) as statement {@code name}. */
    private ByteBuf parseFrame(String name, byte[] text, int[] types) {
        ByteBuf frame = FrameWriter.start(alloc, 'P', name.length() * 3 + text.length + 8 + types.length * 4);
        Wire.writeCString(frame, name);
        FrameWriter.writeCString(frame, text);
        frame.writeShort(types.length);
        for (int t : types) {
            frame.writeInt(t);
        }
        return FrameWriter.finish(frame);
    }

    /** The text sent for a statement, and how its positions map back to the client's text. */
    private record Rendered(byte[] text, Positions positions) {
    }

    /** The statement's bytes with the plan's edits applied (literals encrypted), in its encoding. */
    private Rendered render(byte[] sql, List<TextEdit> edits, Settings settings) {
        return render(sql, edits, settings, MatchSlots.NONE);
    }

    /** The text to send for {@code sql}, with equality parameters written as {@code slots} says. */
    private Rendered render(byte[] sql, List<TextEdit> edits, Settings settings, MatchSlots slots) {
        if (edits.isEmpty()) {
            return new Rendered(sql, Positions.IDENTITY);
        }
        // While settings are in flight, E'\\x…' reads the same under either standard_conforming_strings.
        LiteralRendering rendering = new LiteralRendering(keys.cipher(), settings.zoneOrUtc(),
                settings.settled() && settings.standardConformingStrings()).withSlots(slots);
        List<String> replacements = rendering.renderAll(edits);
        if (settings.utf8()) {
            // Only a 4-byte sequence is a character beyond the BMP (two chars in Java, one in PostgreSQL).
            String text = hasUtf8FourByteSequence(sql) ? new String(sql, StandardCharsets.UTF_8) : null;
            return new Rendered(rendering.applyUtf8(sql, edits, replacements), Positions.of(edits, replacements, text));
        }
        String text = new String(sql, settings.charset());
        return new Rendered(rendering.apply(text, edits, replacements).getBytes(settings.charset()),
                Positions.of(edits, replacements, text));
    }

    private static boolean hasUtf8FourByteSequence(byte[] sql) {
        for (byte b : sql) {
            if ((b & 0xf8) == 0xf0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Maps a cursor position in the text pgseal sent (PostgreSQL's {@code P} field, 1-based
     * characters) back to the client's text: a position after an edit shifts by the edit's length
     * difference, one inside an edit becomes the edit's start. Edits are at Java char offsets, and
     * PostgreSQL counts characters: a character beyond the BMP (two chars) counts once.
     */
    static final class Positions {
        static final Positions IDENTITY = new Positions(new int[0], new int[0], new int[0], new int[0], new int[0]);

        private final int[] starts;
        private final int[] ends;
        private final int[] lengths;
        /** Char offsets of the characters beyond the BMP in the client's text, ascending. */
        private final int[] clientPairs;
        /** The same in the text sent (those inside an edit are gone, the others shifted). */
        private final int[] sentPairs;

        private Positions(int[] starts, int[] ends, int[] lengths, int[] clientPairs, int[] sentPairs) {
            this.starts = starts;
            this.ends = ends;
            this.lengths = lengths;
            this.clientPairs = clientPairs;
            this.sentPairs = sentPairs;
        }

        /**
         * The map of {@code edits} replaced by {@code replacements} (ASCII) in {@code clientText},
         * which may be null when it has no character beyond the BMP.
         */
        static Positions of(List<TextEdit> edits, List<String> replacements, String clientText) {
            int n = edits.size();
            int[] starts = new int[n];
            int[] ends = new int[n];
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                starts[i] = edits.get(i).start();
                ends[i] = edits.get(i).end();
                lengths[i] = replacements.get(i).length();
            }
            if (clientText == null) {
                return new Positions(starts, ends, lengths, new int[0], new int[0]);
            }
            int[] client = new int[clientText.length()];
            int[] sent = new int[clientText.length()];
            int nc = 0;
            int ns = 0;
            int edit = 0;
            int delta = 0;
            for (int at = 0; at < clientText.length() - 1; at++) {
                if (!Character.isHighSurrogate(clientText.charAt(at)) || !Character.isLowSurrogate(clientText.charAt(at + 1))) {
                    continue;
                }
                client[nc++] = at;
                while (edit < n && ends[edit] <= at) {
                    delta += lengths[edit] - (ends[edit] - starts[edit]);
                    edit++;
                }
                if (edit >= n || at < starts[edit]) {
                    sent[ns++] = at + delta;
                }
                at++;
            }
            return new Positions(starts, ends, lengths, java.util.Arrays.copyOf(client, nc),
                    java.util.Arrays.copyOf(sent, ns));
        }

        /** The client's 1-based position for {@code sent}, a 1-based character position in the text sent. */
        int toClient(int sent) {
            if (sentPairs.length == 0 && clientPairs.length == 0) {
                return toClientChars(sent);
            }
            int chars = toClientChars(charPosition(sent, sentPairs));
            int pairsBefore = 0;
            while (pairsBefore < clientPairs.length && clientPairs[pairsBefore] < chars - 1) {
                pairsBefore++;
            }
            return chars - pairsBefore;
        }

        /** The 1-based char position of the 1-based character position {@code p} in a text with {@code pairs}. */
        private static int charPosition(int p, int[] pairs) {
            int chars = p;
            for (int pair : pairs) {
                if (pair < chars - 1) {
                    chars++;
                } else {
                    break;
                }
            }
            return chars;
        }

        /** {@link #toClient} in chars. */
        private int toClientChars(int sent) {
            int q = sent - 1;
            int delta = 0;
            for (int i = 0; i < starts.length; i++) {
                int sentStart = starts[i] + delta;
                if (q < sentStart) {
                    break;
                }
                if (q < sentStart + lengths[i]) {
                    return starts[i] + 1;
                }
                delta += lengths[i] - (ends[i] - starts[i]);
            }
            return q - delta + 1;
        }
    }

    // ---------------------------------------------------------------- results

    @Override
    public ErrorResponse rewriteError(ErrorResponse error, PendingResponse entry) {
        ErrorResponse copyError = copies.rewriteError(error, entry);
        if (copyError != null) {
            return copyError;
        }
        if (entry != null && entry.kind().isExtendedProtocol() && !awaitingDescription.isEmpty()) {
            // PostgreSQL now skips to Sync: an injected Describe(S) still unanswered never will be.
            List<StatementState> waiting = new ArrayList<>(awaitingDescription);
            awaitingDescription.clear();
            waiting.forEach(st -> st.described.complete(null));
        }
        if (entry != null && entry.kind().isExtendedProtocol() && roleProbe != null) {
            CompletableFuture<String> probe = roleProbe;
            roleProbe = null;
            probe.completeExceptionally(new IllegalStateException("the role probe was skipped"));
        }
        ErrorFields fields = redaction().redact(error.fields());
        ErrorResponse out = fields == error.fields() ? error : new ErrorResponse(fields);
        Positions positions = null;
        Object a = entry == null ? null : entry.attachment();
        if (a instanceof QueryState q) {
            positions = q.positions;
        } else if (a instanceof StatementState st && entry.kind() == ResponseKind.PARSE) {
            positions = st.positions;
        }
        if (positions != null && positions != Positions.IDENTITY) {
            out = out.withPosition(positions::toClient);
        }
        return out;
    }

    @Override
    public ErrorFields rewriteNotice(ErrorFields notice) {
        return redaction().redact(notice);
    }

    /** Keeps ciphertext out of errors and notices, per the session's roles now. */
    private ErrorRedaction redaction() {
        return new ErrorRedaction(guard.current().policy(), access, keys.cipher(), keys.readiness(),
                settings().zoneOrUtc());
    }

    @Override
    public ParameterDescription rewriteParameterDescription(ParameterDescription description, PendingResponse entry) {
        if (entry.attachment() instanceof StatementState statement && !statement.plan.parameters().isEmpty()) {
            int[] types = ParameterEncryption.describedTypes(description.typeOids(), statement.clientTypes,
                    statement.plan.parameters());
            if (!statement.slots.isEmpty() && types.length > statement.slots.visibleCount()) {
                types = java.util.Arrays.copyOf(types, statement.slots.visibleCount()); // the added slots are pgseal's
            }
            return new ParameterDescription(types);
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
            return resultPlan(statement, description).description();
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
        ResultDecryption d = resultPlan(portal.statement, description);
        portal.rows = d.rows(portal.resultFormats, keys.cipher(), keys.readiness(), portal.zone);
        return d;
    }

    @Override
    public void onInjectedResponse(ByteBuf frame, PendingResponse entry) {
        byte type = frame.getByte(frame.readerIndex());
        if (roleProbe != null && (ROLE_PROBE.equals(entry.statementName()) || ROLE_PROBE.equals(entry.portalName()))) {
            onProbeResponse(frame, entry, type);
            return;
        }
        if (entry.kind() == ResponseKind.DESCRIBE_STATEMENT && entry.attachment() instanceof StatementState statement
                && statement.described != null && (type == 'T' || type == 'n')) {
            if (type == 'T') {
                statement.lastDescription = RowDescription.decode(frame.slice(frame.readerIndex() + Wire.HEADER_BYTES,
                        frame.readableBytes() - Wire.HEADER_BYTES));
            }
            awaitingDescription.remove(statement);
            statement.described.complete(null);
            return;
        }
        if (entry.kind() == ResponseKind.DESCRIBE_PORTAL && frame.getByte(frame.readerIndex()) == 'T'
                && entry.attachment() instanceof PortalState portal) {
            RowDescription d = RowDescription.decode(frame.slice(frame.readerIndex() + Wire.HEADER_BYTES,
                    frame.readableBytes() - Wire.HEADER_BYTES));
            described(portal, d);
        }
    }

    @Override
    public ByteBuf onDataRow(ByteBuf frame, PendingResponse entry) {
        try {
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
            ByteBuf out = rows.apply(frame, alloc);
            keyLoad = null;
            return out;
        } catch (KeyNotReadyException e) {
            throw new RetryLater(loadForRow(e.ringId(), e.version()));
        } catch (ProtectedValueException e) {
            // PostgreSQL has executed the statement: the client cannot be told an error that matches
            // the transaction's state, so the session ends with the error as FATAL.
            throw new EndSession(new SessionRefusal(e.sqlState(), ascii(e.getMessage())));
        }
    }

    /**
     * Starts loading {@code (ring, version)} off the event loop, or ends the session when a load of
     * that same version already finished and it is still not in memory (it failed, or the key is gone).
     */
    private CompletionStage<?> loadForRow(int ring, int version) {
        KeyLoad previous = keyLoad;
        if (previous != null && previous.ring() == ring && previous.version() == version) {
            LOG.warn("key ring id {} version {} could not be loaded for a result row", ring, version);
            throw new EndSession(new SessionRefusal(ProtectedValueException.KEY_UNAVAILABLE, "pgseal: a key version "
                    + "needed to decrypt a result row is not available"));
        }
        CompletionStage<?> load = keys.loadForDecryption().apply(ring, version);
        keyLoad = new KeyLoad(ring, version);
        return load;
    }

    /**
     * The plan of {@code statement}'s rows as {@code description} describes them, under the
     * session's catalog facts and roles now; the last one is reused while all three stay the same
     * (an executed prepared statement is described again on every execution).
     */
    private ResultDecryption resultPlan(StatementState statement, RowDescription description) {
        ResultPlanMemo m = statement.resultPlan;
        if (m != null && m.facts() == facts && m.access() == access && m.description().equals(description)) {
            return m.plan();
        }
        ResultDecryption plan = ResultDecryption.plan(description, facts, statement.plan.results(), 0, access);
        statement.resultPlan = new ResultPlanMemo(description, facts, access, plan);
        return plan;
    }

    /** A portal executed with no RowDescription of its own: the statement's latest. */
    private ResultDecryption.RowDecryptor rowsFromStatement(PortalState portal) {
        RowDescription d = portal.statement.lastDescription;
        if (d == null) {
            throw new ProtectedValueException(ProtectedValueException.DATA_CORRUPTED, "pgseal: rows of a rewritten "
                    + "statement arrived before any description of its columns");
        }
        ResultDecryption plan = resultPlan(portal.statement, d);
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
