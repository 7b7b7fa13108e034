package dev.pgseal.wire.crypto;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.EnvelopeHeader;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.wire.protocol.backend.ErrorFields;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps ciphertext out of what PostgreSQL tells the client in an ErrorResponse or NoticeResponse.
 * The key of a constraint violation ({@code DETAIL: Key (ssn)=(\x02…) already exists.}) names its
 * table (fields {@code s}, {@code t}) and columns: a protected column's value is shown decrypted to
 * a session that reads the column and as {@value #PLACEHOLDER} to others (and to everyone when its
 * key is not in memory: an error is no reason to wait for the key store). Any other text that holds
 * an envelope's hex, in any field, becomes {@value #PLACEHOLDER}.
 */
public final class ErrorRedaction {

    /** What stands in for a value the client may not see. */
    public static final String PLACEHOLDER = "<encrypted>";

    /** bytea's hex output of an envelope: version byte 0x02, then at least a header's worth of bytes. */
    private static final Pattern ENVELOPE_HEX = Pattern.compile("\\\\+x02[0-9a-fA-F]{30,}");
    private static final Pattern KEY = Pattern.compile("Key \\((.+?)\\)=\\((.*?)\\)( already exists| is (?:not |still )"
            + "present| conflicts|$|\\.)");
    /** Fields that carry no free text. */
    private static final Set<Character> STRUCTURAL = Set.of('S', 'V', 'C', 'P', 'p', 'F', 'L', 'R');

    private final Policy policy;
    private final ColumnAccess access;
    private final ColumnCipher cipher;
    private final KeyReadiness keys;
    private final ZoneId zone;

    /**
     * @param policy the policy in force (protected columns by table)
     * @param access the session's roles
     * @param cipher decrypts key values for readers
     * @param keys whether a key is in memory (never waits)
     * @param zone the session's time zone (timestamptz values)
     */
    public ErrorRedaction(Policy policy, ColumnAccess access, ColumnCipher cipher, KeyReadiness keys, ZoneId zone) {
        this.policy = policy;
        this.access = access;
        this.cipher = cipher;
        this.keys = keys;
        this.zone = zone;
    }

    /** The fields to send: {@code fields} itself when nothing in them is ciphertext. */
    public ErrorFields redact(ErrorFields fields) {
        Map<Character, String> out = null;
        for (Map.Entry<Character, String> f : fields.fields().entrySet()) {
            if (STRUCTURAL.contains(f.getKey()) || f.getValue().indexOf('\\') < 0) {
                continue;
            }
            String text = f.getValue();
            if (f.getKey() == 'D') {
                text = decryptKey(fields, text);
            }
            text = ENVELOPE_HEX.matcher(text).replaceAll(PLACEHOLDER);
            if (!text.equals(f.getValue())) {
                if (out == null) {
                    out = new LinkedHashMap<>(fields.fields());
                }
                out.put(f.getKey(), text);
            }
        }
        return out == null ? fields : new ErrorFields(out);
    }

    /** A violated key's protected values, decrypted for a reader of the column. */
    private String decryptKey(ErrorFields fields, String detail) {
        Matcher m = KEY.matcher(detail);
        if (!m.find()) {
            return detail;
        }
        String schema = fields.fields().get('s');
        String table = fields.fields().get('t');
        Optional<TablePolicy> t = schema == null || table == null ? Optional.empty() : policy.table(schema, table);
        if (t.isEmpty()) {
            return detail;
        }
        List<String> columns = List.of(m.group(1).split(", ", -1));
        List<String> values = List.of(m.group(2).split(", ", -1));
        if (columns.size() != values.size()) {
            return detail; // a value with ", " inside: no reliable pairing; the hex is redacted anyway
        }
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                shown.append(", ");
            }
            String column = unquote(columns.get(i));
            Optional<ColumnPolicy> c = t.get().column(column);
            String value = values.get(i);
            if (c.isPresent() && ENVELOPE_HEX.matcher(value).matches()) {
                value = plaintext(new ColumnRef(new QualifiedName(schema, table), c.get()), value).orElse(PLACEHOLDER);
            }
            shown.append(value);
        }
        return detail.substring(0, m.start(2)) + shown + detail.substring(m.end(2));
    }

    private static String unquote(String name) {
        return name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")
                ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name;
    }

    /** The value's text for a reader whose key is in memory; empty otherwise. */
    private Optional<String> plaintext(ColumnRef target, String hex) {
        if (!access.canRead(target.column())) {
            return Optional.empty();
        }
        String digits = hex.substring(hex.indexOf('x') + 1);
        byte[] text = ("\\x" + digits).getBytes(StandardCharsets.US_ASCII);
        byte[] envelope = ByteaWire.decodeText(text, 0, text.length);
        if (envelope == null) {
            return Optional.empty();
        }
        try {
            EnvelopeHeader header = EnvelopeHeader.parse(envelope);
            if (!keys.readyToDecrypt(header.ringId(), header.keyVersion())) {
                return Optional.empty();
            }
            byte[] canonical = cipher.decrypt(ParameterEncryption.identity(target), target.column().key(), envelope);
            return Optional.of(ValueConversion.codec(target.column().type()).toText(canonical, zone));
        } catch (DecryptionException | KeyUnavailableException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
