package dev.pgseal.wire.app;

import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.sql.CopyColumn;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.wire.Interception;
import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.crypto.ColumnAccess;
import dev.pgseal.wire.crypto.CopyInEncryption;
import dev.pgseal.wire.crypto.CopyOutDecryption;
import dev.pgseal.wire.crypto.KeyNotReadyException;
import dev.pgseal.wire.crypto.ProtectedValueException;
import dev.pgseal.wire.crypto.SessionZone;
import dev.pgseal.wire.protocol.FrameWriter;
import dev.pgseal.wire.protocol.FrontendMessageType;
import dev.pgseal.wire.protocol.backend.ErrorFields;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.session.ClientEncodings;
import dev.pgseal.wire.session.PendingResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code COPY table FROM STDIN | TO STDOUT} on protected tables for one {@link EncryptingSession}:
 * the statement itself goes to PostgreSQL untouched (it names no value), and the rows are
 * transformed on the way — the client's CopyData encrypted ({@link CopyInEncryption}), PostgreSQL's
 * CopyData decrypted per role ({@link CopyOutDecryption}).
 *
 * <p><b>Before the COPY runs</b> (the Query): a role that may not write a protected column of a COPY
 * FROM, or may not read one under {@code on_unauthorized: error} in a COPY TO, is refused with
 * {@code 42501} by PostgreSQL itself; the key rings of the protected columns are loaded first (the
 * session suspends while they load, never blocking its event loop).
 *
 * <p><b>COPY FROM</b>: the client's CopyData after the Query belong to this COPY until its CopyDone
 * or CopyFail. Each is re-cut into whole lines (only the incomplete rest of a line is kept, up to
 * {@link #MAX_LINE_BYTES}). A key no longer in memory suspends the session until it is loaded. A
 * value pgseal cannot encrypt (say {@code abc} for an {@code int4} column) fails the COPY: pgseal
 * sends PostgreSQL a CopyFail (so the whole COPY rolls back and no row of it lands), drops the
 * client's further CopyData, and turns PostgreSQL's answer ({@code 57014}) into the value's own
 * error ({@code 22P02} and so on) for the client. The CopyFail's reason is generic: PostgreSQL logs it.
 * PostgreSQL's CopyInResponse must announce text format and the planned column count (a generated
 * column the catalog facts do not show would shift the fields): otherwise the COPY is failed the same way.
 *
 * <p><b>COPY TO</b>: every CopyData from PostgreSQL is one line; its protected fields are decrypted.
 * As for DataRows, a key version not in memory pauses reading from PostgreSQL until it is loaded,
 * and a line pgseal cannot deliver (a value that is not a valid envelope, a key that cannot be
 * loaded) ends the session with that error as FATAL, since PostgreSQL has already run the COPY.
 */
final class EncryptedCopy {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptedCopy.class);

    /** The longest line of a COPY FROM stream pgseal buffers (PostgreSQL's own limit is 1 GB). */
    static final int MAX_LINE_BYTES = 64 << 20;

    /** SQLSTATE PostgreSQL answers a CopyFail with. */
    private static final String QUERY_CANCELED = "57014";

    private final SessionInfo session;
    private final EncryptingSession.Keys keys;
    private final ByteBufAllocator alloc;
    /** The COPY FROM whose stream the client is sending, or null. */
    private CopyIn stream;
    /** The key version the CopyData being retried waits for (null when none waits). */
    private long keyLoad = -1;

    /** A COPY FROM: the state attached to its Query. */
    static final class CopyIn {
        final StatementPlan.Copy plan;
        final CopyInEncryption encryption;
        /** Why pgseal fails the COPY, once it must. */
        SessionRefusal refusal;
        /** The CopyFail went out: later CopyData are dropped. */
        boolean failSent;
        /** PostgreSQL left the COPY (an error): later CopyData are dropped. */
        boolean backendDone;
        /** Rings warmed once for this stream that were still missing afterwards. */
        Set<String> warmed;

        CopyIn(StatementPlan.Copy plan, CopyInEncryption encryption) {
            this.plan = plan;
            this.encryption = encryption;
        }
    }

    /** A COPY TO: the state attached to its Query. */
    static final class CopyOut {
        final StatementPlan.Copy plan;
        final CopyOutDecryption rows;

        CopyOut(StatementPlan.Copy plan, CopyOutDecryption rows) {
            this.plan = plan;
            this.rows = rows;
        }
    }

    EncryptedCopy(SessionInfo session, EncryptingSession.Keys keys, ByteBufAllocator alloc) {
        this.session = session;
        this.keys = keys;
        this.alloc = alloc;
    }

    /**
     * A COPY statement through the extended protocol: refused (pgseal follows COPY streams of simple
     * Query messages, which pgjdbc's CopyManager and psql use).
     */
    static SessionRefusal extendedProtocolRefusal(StatementPlan.Copy plan) {
        return new SessionRefusal(ProtectedTableGuard.NOT_SUPPORTED, "pgseal: COPY of protected table "
                + plan.table().toSql() + " refused in the extended query protocol (Parse); send it as a simple query "
                + "(pgjdbc's CopyManager and psql's \\copy do)");
    }

    /** A Query arrived ({@code entry} null when PostgreSQL, inside a COPY FROM, discards it and fails the COPY). */
    void queryArrived(PendingResponse entry) {
        if (entry == null && stream != null) {
            stream.backendDone = true;
        } else {
            stream = null;
        }
    }

    /**
     * The decision on a Query holding one COPY of a protected table, once the session's role and
     * catalog are known.
     */
    Interception start(StatementPlan.Copy plan, PendingResponse entry, ColumnAccess access) {
        if (entry == null) {
            return Interception.pass(); // PostgreSQL discards it
        }
        boolean from = plan.direction() == StatementPlan.Copy.Direction.FROM_CLIENT;
        for (CopyColumn c : plan.columns()) {
            if (c.target().isPresent() && from && !access.canWrite(c.target().get().column())) {
                return refuse(ProtectedValueException.INSUFFICIENT_PRIVILEGE, "pgseal: permission denied to write "
                        + "column " + c.target().get().describe());
            }
        }
        if (!from) {
            Optional<dev.pgseal.sql.ColumnRef> denied = CopyOutDecryption.deniedColumn(plan, access);
            if (denied.isPresent()) {
                return refuse(ProtectedValueException.INSUFFICIENT_PRIVILEGE, "pgseal: permission denied to read "
                        + "column " + denied.get().describe());
            }
        }
        Charset charset;
        Optional<String> encoding = plan.format().encoding();
        if (encoding.isPresent()) {
            if (!ClientEncodings.isSupported(encoding.get())) {
                return refuse(ProtectedTableGuard.NOT_SUPPORTED, "pgseal: COPY of protected table "
                        + plan.table().toSql() + " refused: pgseal cannot read ENCODING " + ascii(encoding.get()));
            }
            charset = ClientEncodings.charset(encoding.get());
        } else {
            String clientEncoding = session.serverParameter("client_encoding");
            charset = clientEncoding == null || !ClientEncodings.isSupported(clientEncoding) ? StandardCharsets.UTF_8
                    : ClientEncodings.charset(clientEncoding);
        }
        ZoneId zone = SessionZone.parse(session.serverParameter("TimeZone")).orElse(null);
        if (zone == null) {
            for (CopyColumn c : plan.columns()) {
                if (c.target().isPresent() && c.target().get().column().type().kind() == LogicalType.Kind.TIMESTAMPTZ) {
                    return refuse("22023", "pgseal: the session's TimeZone " + ascii(session.serverParameter("TimeZone"))
                            + " has no exact equivalent in pgseal; timestamptz columns cannot be used with it");
                }
            }
            zone = java.time.ZoneOffset.UTC;
        }
        Set<String> missing = notReady(plan.rings(), false);
        if (!missing.isEmpty()) {
            return Interception.suspend(keys.warm().apply(missing).handle((done, failure) -> {
                if (failure != null) {
                    LOG.warn("key rings {} could not be loaded: {}", missing, failure.getMessage());
                }
                Set<String> still = notReady(missing, false);
                return still.isEmpty() ? Interception.again()
                        : Interception.refuse(new SessionRefusal(ProtectedValueException.KEY_UNAVAILABLE,
                                "pgseal: the keys of key ring " + String.join(", ", still) + " are not available"));
            }));
        }
        if (from) {
            CopyIn in = new CopyIn(plan, new CopyInEncryption(plan, keys.cipher(), charset, zone, MAX_LINE_BYTES));
            entry.attach(in);
            stream = in;
        } else {
            entry.attach(new CopyOut(plan, new CopyOutDecryption(plan, access, keys.cipher(), keys.readiness(),
                    charset, zone)));
        }
        return Interception.pass();
    }

    /** CopyData, CopyDone or CopyFail from the client. */
    Interception fromClient(FrontendMessageType type, ByteBuf body) {
        CopyIn s = stream;
        if (s == null) {
            return Interception.pass();
        }
        if (type == FrontendMessageType.COPY_FAIL) {
            stream = null;
            return Interception.pass();
        }
        boolean done = type == FrontendMessageType.COPY_DONE;
        if (s.failSent || s.backendDone || s.encryption.ended()) {
            // PostgreSQL has left the COPY or ignores the rest; a CopyDone after its CopyFail is pgseal's to drop.
            if (done) {
                stream = null;
                return s.failSent ? Interception.relay(List.of()) : Interception.pass();
            }
            return Interception.relay(List.of());
        }
        if (s.refusal != null) {
            return fail(s, done);
        }
        Set<String> missing = notReady(s.plan.rings(), true);
        if (!missing.isEmpty()) {
            if (missing.equals(s.warmed)) {
                s.refusal = new SessionRefusal(ProtectedValueException.KEY_UNAVAILABLE, "pgseal: the keys of key ring "
                        + String.join(", ", missing) + " are not available");
                return fail(s, done);
            }
            s.warmed = missing;
            return Interception.suspend(keys.warm().apply(missing).handle((d, failure) -> Interception.again()));
        }
        s.warmed = null;
        try {
            if (!done) {
                ByteBuf frame = s.encryption.encrypt(body, alloc);
                return Interception.relay(frame == null ? List.of() : List.of(frame));
            }
            ByteBuf last = s.encryption.finish(alloc);
            stream = null;
            return last == null ? Interception.pass()
                    : Interception.relay(List.of(last, FrameWriter.empty(alloc, 'c')));
        } catch (ProtectedValueException e) {
            s.refusal = new SessionRefusal(e.sqlState(), ascii(e.getMessage()));
        } catch (KeyUnavailableException | KeyNotReadyException e) {
            s.refusal = new SessionRefusal(ProtectedValueException.KEY_UNAVAILABLE,
                    "pgseal: a key the COPY needs is not available");
        }
        return fail(s, done);
    }

    /** Sends PostgreSQL a CopyFail in place of the client's message. */
    private Interception fail(CopyIn s, boolean clientDone) {
        s.failSent = true;
        if (clientDone) {
            stream = null;
        }
        // PostgreSQL logs the reason: it names no value, and the client hears the real error instead.
        String reason = "pgseal: COPY failed (SQLSTATE " + s.refusal.sqlState() + ")";
        byte[] text = reason.getBytes(StandardCharsets.US_ASCII);
        ByteBuf frame = FrameWriter.start(alloc, 'f', text.length + 1);
        FrameWriter.writeCString(frame, text);
        return Interception.relay(List.of(FrameWriter.finish(frame)));
    }

    /** PostgreSQL entered a COPY ({@code 'G'} in, {@code 'H'} out) for {@code entry}. */
    void onCopyResponse(char type, int overallFormat, int columns, PendingResponse entry) {
        Object a = entry.attachment();
        if (type == 'G' && stream != null && a != stream) {
            stream = null; // another COPY runs now: the stream pgseal followed is over
        }
        if (a instanceof CopyIn in && type == 'G') {
            if (overallFormat != 0 || columns != in.plan.columns().size()) {
                in.refusal = new SessionRefusal(ProtectedTableGuard.NOT_SUPPORTED, "pgseal: COPY of protected table "
                        + in.plan.table().toSql() + " refused: PostgreSQL reads " + columns + " columns, pgseal planned "
                        + in.plan.columns().size() + " (a generated column?); list the columns");
            }
        } else if (a instanceof CopyOut out && type == 'H'
                && (overallFormat != 0 || columns != out.plan.columns().size())) {
            throw new StatementInterceptor.EndSession(new SessionRefusal(ProtectedTableGuard.NOT_SUPPORTED,
                    "pgseal: COPY of protected table " + out.plan.table().toSql() + " sends " + columns
                    + " columns, pgseal planned " + out.plan.columns().size() + " (a generated column?); list the "
                    + "columns"));
        }
    }

    /** A CopyData of a COPY TO: its protected fields decrypted. */
    ByteBuf onCopyData(ByteBuf frame, PendingResponse entry) {
        if (!(entry.attachment() instanceof CopyOut out)) {
            return frame;
        }
        try {
            ByteBuf result = out.rows.apply(frame, alloc);
            keyLoad = -1;
            return result;
        } catch (KeyNotReadyException e) {
            long wanted = ((long) e.ringId() << 32) | (e.version() & 0xffffffffL);
            if (keyLoad == wanted) {
                LOG.warn("key ring id {} version {} could not be loaded for a COPY row", e.ringId(), e.version());
                throw new StatementInterceptor.EndSession(new SessionRefusal(ProtectedValueException.KEY_UNAVAILABLE,
                        "pgseal: a key version needed to decrypt a COPY row is not available"));
            }
            keyLoad = wanted;
            CompletionStage<?> load = keys.loadForDecryption().apply(e.ringId(), e.version());
            throw new StatementInterceptor.RetryLater(load);
        } catch (ProtectedValueException e) {
            throw new StatementInterceptor.EndSession(new SessionRefusal(e.sqlState(), ascii(e.getMessage())));
        }
    }

    /**
     * PostgreSQL's error for {@code entry}: the COPY FROM it ends is over; the answer to pgseal's
     * CopyFail becomes the error that made pgseal fail the COPY. Null: no change.
     */
    ErrorResponse rewriteError(ErrorResponse error, PendingResponse entry) {
        if (entry == null || !(entry.attachment() instanceof CopyIn in)) {
            return null;
        }
        in.backendDone = true;
        if (!in.failSent || !QUERY_CANCELED.equals(error.sqlState())) {
            return null;
        }
        Map<Character, String> fields = new LinkedHashMap<>();
        fields.put('S', "ERROR");
        fields.put('V', "ERROR");
        fields.put('C', in.refusal.sqlState());
        fields.put('M', in.refusal.message());
        fields.put('W', "COPY " + in.plan.table().toSql() + ", through pgseal");
        return new ErrorResponse(new ErrorFields(fields));
    }

    private Set<String> notReady(Set<String> rings, boolean encryptOnly) {
        Set<String> missing = new TreeSet<>();
        for (String ring : rings) {
            boolean ready = encryptOnly ? keys.readiness().readyToEncrypt(ring) : keys.readiness().readyToMatch(ring);
            if (!ready) {
                missing.add(ring);
            }
        }
        return missing;
    }

    private static Interception refuse(String sqlState, String message) {
        return Interception.refuse(new SessionRefusal(sqlState, message));
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
