package dev.pgseal.wire.crypto;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.EnvelopeHeader;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.keys.WireFormat;
import dev.pgseal.policy.CatalogFacts;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.MaskPattern;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ResultOrigin;
import dev.pgseal.wire.protocol.FrameWriter;
import dev.pgseal.wire.protocol.backend.RowDescription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one result's protected columns become for one session: found by their origin in the
 * RowDescription (table OID and column number, looked up in {@link CatalogFacts}) or, for columns
 * PostgreSQL gives no origin (a {@code UNION} branch), by the plan's {@link ResultOrigin}s; then per
 * the session's {@link ColumnAccess}:
 * <ul>
 *   <li>a reader gets the plaintext: the field shows the logical type (OID, {@code typlen},
 *       {@code typmod}) and keeps the format code, each value is decrypted and sent in that format;</li>
 *   <li>{@code nullify}: the logical type, every value NULL;</li>
 *   <li>{@code mask}: the field reads as {@code text} (a mask is not a value of the logical type),
 *       each value is the policy's mask applied to the plaintext's text form;</li>
 *   <li>{@code ciphertext}: the field stays {@code bytea} and the envelopes pass unchanged;</li>
 *   <li>{@code error}: the logical type, and the first row raises 42501 naming the column.</li>
 * </ul>
 *
 * <p>How a 42501 reaches the client: the session's planner hook should refuse before execution
 * when the plan already knows the statement returns such a column (PostgreSQL then raises the
 * error itself, and the transaction fails exactly as PostgreSQL would fail it). When only the
 * RowDescription reveals it, {@link RowDecryptor#apply} throws {@link ProtectedValueException}
 * 42501 at the first row, before any value of it leaves pgseal; PostgreSQL has by then executed the
 * statement and its transaction state can no longer match what the client is told, so the session
 * must send the error as FATAL and close (as for an {@code XX001} corrupt value). An empty result
 * reveals nothing and passes.
 */
public final class ResultDecryption {

    private enum Action { PASS, DECRYPT, NULLIFY, MASK, DENY }

    private final RowDescription description;
    private final Action[] actions;
    private final ColumnRef[] targets;
    private final ColumnIdentity[] identities;
    private final CanonicalCodec[] codecs;
    private final String denied;

    private ResultDecryption(RowDescription description, Action[] actions, ColumnRef[] targets,
            ColumnIdentity[] identities, CanonicalCodec[] codecs, String denied) {
        this.description = description;
        this.actions = actions;
        this.targets = targets;
        this.identities = identities;
        this.codecs = codecs;
        this.denied = denied;
    }

    /**
     * Plans the result described by {@code description}.
     *
     * @param facts the database's catalog facts
     * @param origins the plan's result columns without origin ({@link ResultOrigin}); those of other
     *     statements than {@code statement} are ignored
     * @param statement which statement of the query string the description belongs to (0 for a Parse)
     * @param access the session's roles
     */
    public static ResultDecryption plan(RowDescription description, CatalogFacts facts, List<ResultOrigin> origins,
            int statement, ColumnAccess access) {
        List<RowDescription.Field> fields = description.fields();
        int n = fields.size();
        Action[] actions = new Action[n];
        ColumnRef[] targets = new ColumnRef[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            RowDescription.Field f = fields.get(i);
            ColumnRef target = facts.protectedColumn(f.tableOid(), f.columnNumber())
                    .map(p -> new ColumnRef(p.table(), p.column())).orElse(null);
            if (target == null) {
                for (ResultOrigin o : origins) {
                    if (o.statement() == statement && o.column() == i) {
                        target = o.target();
                    }
                }
            }
            targets[i] = target;
            actions[i] = target == null ? Action.PASS : actionFor(target.column(), access);
            any |= actions[i] != Action.PASS;
        }
        if (!any) {
            return new ResultDecryption(description, actions, targets, null, null, null);
        }
        List<RowDescription.Field> rewritten = new ArrayList<>(n);
        ColumnIdentity[] identities = new ColumnIdentity[n];
        CanonicalCodec[] codecs = new CanonicalCodec[n];
        String denied = null;
        for (int i = 0; i < n; i++) {
            RowDescription.Field f = fields.get(i);
            Action a = actions[i];
            if (a == Action.PASS) {
                rewritten.add(f);
                continue;
            }
            LogicalType type = targets[i].column().type();
            identities[i] = ParameterEncryption.identity(targets[i]);
            codecs[i] = ValueConversion.codec(type);
            if (a == Action.MASK) {
                rewritten.add(new RowDescription.Field(f.name(), f.tableOid(), f.columnNumber(), PgTypes.TEXT,
                        (short) -1, -1, f.format()));
            } else {
                rewritten.add(new RowDescription.Field(f.name(), f.tableOid(), f.columnNumber(), type.kind().typeOid(),
                        PgTypes.typeLength(type), PgTypes.typeModifier(type), f.format()));
            }
            if (a == Action.DENY && denied == null) {
                denied = targets[i].describe();
            }
        }
        return new ResultDecryption(new RowDescription(rewritten), actions, targets, identities, codecs, denied);
    }

    private static Action actionFor(ColumnPolicy column, ColumnAccess access) {
        if (access.canRead(column)) {
            return Action.DECRYPT;
        }
        return switch (column.onUnauthorized()) {
            case NULLIFY -> Action.NULLIFY;
            case MASK -> Action.MASK;
            case CIPHERTEXT -> Action.PASS;
            case ERROR -> Action.DENY;
        };
    }

    /** Whether the rows need {@link #rows} at all (false: send RowDescription and rows as they are). */
    public boolean changesRows() {
        return identities != null;
    }

    /** The RowDescription to send to the client (the same instance when nothing changes). */
    public RowDescription description() {
        return description;
    }

    /** The protected columns the result carries, by position (null where none), for messages and plans. */
    public List<Optional<ColumnRef>> columns() {
        List<Optional<ColumnRef>> list = new ArrayList<>(targets == null ? 0 : targets.length);
        if (targets != null) {
            for (ColumnRef t : targets) {
                list.add(Optional.ofNullable(t));
            }
        }
        return list;
    }

    /** The first column the session's roles may not read under {@code on_unauthorized: error}, if any. */
    public Optional<String> deniedColumn() {
        return Optional.ofNullable(denied);
    }

    /**
     * The row transformer for one execution.
     *
     * @param resultFormats the Bind's result format codes (none: all text; one: for all; else one
     *     per column), or null to use the formats of the RowDescription (a simple query's, or a
     *     portal's Describe)
     * @param cipher decrypts
     * @param keys answers whether a key is in memory (never blocks)
     * @param zone the session's time zone (timestamptz output)
     */
    public RowDecryptor rows(short[] resultFormats, ColumnCipher cipher, KeyReadiness keys, ZoneId zone) {
        int n = actions.length;
        boolean[] binary = new boolean[n];
        for (int i = 0; i < n; i++) {
            int code;
            if (resultFormats == null) {
                code = description.fields().get(i).format();
            } else if (resultFormats.length == 0) {
                code = 0;
            } else if (resultFormats.length == 1) {
                code = resultFormats[0];
            } else {
                code = i < resultFormats.length ? resultFormats[i] : 0;
            }
            binary[i] = code == 1;
        }
        return new RowDecryptor(binary, cipher, keys, zone);
    }

    /**
     * Rewrites DataRow frames of one execution. Not thread-safe state-wise but holds none: one per
     * portal execution, used on the session's event loop.
     */
    public final class RowDecryptor {
        private final boolean[] binary;
        private final ColumnCipher cipher;
        private final KeyReadiness keys;
        private final ZoneId zone;

        private RowDecryptor(boolean[] binary, ColumnCipher cipher, KeyReadiness keys, ZoneId zone) {
            this.binary = binary;
            this.cipher = cipher;
            this.keys = keys;
            this.zone = zone;
        }

        /**
         * The DataRow to send for {@code frame} (a whole frame: type, length, body). When nothing
         * changes, returns {@code frame} itself; otherwise releases it and returns a new frame.
         *
         * @throws KeyNotReadyException when a value needs a key that is not in memory; {@code frame}
         *     is untouched and not released, to be passed again once the key is loaded
         * @throws ProtectedValueException 42501 for a column the roles may not read
         *     ({@code on_unauthorized: error}), XX001 for a value that is not a valid envelope of its
         *     column's ring, 58000 for a key that cannot be used; {@code frame} is not released
         */
        public ByteBuf apply(ByteBuf frame, ByteBufAllocator alloc) {
            if (identities == null) {
                return frame;
            }
            int p = frame.readerIndex() + 5;
            int n = frame.getUnsignedShort(p);
            p += 2;
            if (n != actions.length) {
                throw new ProtectedValueException("08P01", "pgseal: a DataRow has " + n + " columns, its RowDescription "
                        + actions.length);
            }
            if (denied != null) {
                throw new ProtectedValueException(ProtectedValueException.INSUFFICIENT_PRIVILEGE,
                        "pgseal: permission denied to read column " + denied);
            }
            ByteBuf out = alloc.buffer(frame.readableBytes() + 16 * n);
            try {
                out.writeByte('D').writeInt(0).writeShort(n);
                for (int i = 0; i < n; i++) {
                    int len = frame.getInt(p);
                    p += 4;
                    Action a = actions[i];
                    if (a == Action.PASS || len < 0) {
                        out.writeInt(len);
                        if (len > 0) {
                            out.writeBytes(frame, p, len);
                        }
                    } else if (a == Action.NULLIFY) {
                        out.writeInt(-1);
                    } else {
                        byte[] canonical = decrypt(i, frame, p, len);
                        byte[] value;
                        try {
                            value = a == Action.DECRYPT
                                    ? codecs[i].toWire(canonical, binary[i] ? WireFormat.BINARY : WireFormat.TEXT, zone)
                                    : mask(i, canonical);
                        } catch (IllegalArgumentException e) {
                            throw corrupt(i); // authentic, yet not a canonical value of the type
                        }
                        out.writeInt(value.length).writeBytes(value);
                    }
                    if (len > 0) {
                        p += len;
                    }
                }
                FrameWriter.finish(out);
            } catch (RuntimeException e) {
                out.release();
                throw e;
            }
            frame.release();
            return out;
        }

        private byte[] decrypt(int i, ByteBuf frame, int index, int len) {
            byte[] envelope;
            if (binary[i]) {
                envelope = new byte[len];
                frame.getBytes(index, envelope);
            } else {
                envelope = ByteaWire.decodeText(frame, index, len);
                if (envelope == null) {
                    throw corrupt(i);
                }
            }
            EnvelopeHeader header;
            try {
                header = EnvelopeHeader.parse(envelope);
            } catch (DecryptionException e) {
                throw corrupt(i);
            }
            if (!keys.readyToDecrypt(header.ringId(), header.keyVersion())) {
                throw KeyNotReadyException.forDecryption(header.ringId(), header.keyVersion());
            }
            try {
                return cipher.decrypt(identities[i], targets[i].column().key(), envelope);
            } catch (KeyUnavailableException e) {
                throw new ProtectedValueException(ProtectedValueException.KEY_UNAVAILABLE, "pgseal: the key for a value"
                        + " of column " + targets[i].describe() + " is not available");
            } catch (DecryptionException e) {
                throw corrupt(i);
            }
        }

        private byte[] mask(int i, byte[] canonical) {
            MaskPattern mask = targets[i].column().mask().orElseThrow();
            return mask.apply(codecs[i].toText(canonical, zone)).getBytes(StandardCharsets.UTF_8);
        }

        private ProtectedValueException corrupt(int i) {
            return new ProtectedValueException(ProtectedValueException.DATA_CORRUPTED, "pgseal: a value of column "
                    + targets[i].describe() + " is not a valid envelope for its key ring");
        }
    }
}
