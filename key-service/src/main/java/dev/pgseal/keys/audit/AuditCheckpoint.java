package dev.pgseal.keys.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A signed statement about the audit chain, kept outside PostgreSQL (as CloudTrail digest files and
 * Certificate Transparency tree heads are): at {@code at}, the chain ended at event {@code lastId}
 * whose link was {@code head}, held {@code count} events, and was keyed from {@code keyedFrom}.
 * {@code mac} is HMAC-SHA256 under the audit key over all of that, so neither the database's owner
 * nor whoever can write the checkpoint file can make one up. Serialized as one JSON line.
 *
 * @param lastId the newest event's id (0 for an empty log)
 * @param head that event's link, hex (its MAC; its plain hash before the keyed chain; zeros for 0)
 * @param count how many events had ids up to {@code lastId}
 * @param keyedFrom the first id of the keyed chain
 * @param at when the checkpoint was taken (UTC, microseconds)
 * @param keyLabel the audit key it was authenticated with
 * @param mac the HMAC, hex
 */
public record AuditCheckpoint(long lastId, String head, long count, long keyedFrom, Instant at, String keyLabel,
        String mac) {

    /** The {@code format} field of every line. */
    public static final String FORMAT = "pgseal-audit-checkpoint-v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    public AuditCheckpoint {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(keyLabel, "keyLabel");
        Objects.requireNonNull(mac, "mac");
    }

    /** Takes and authenticates a checkpoint of a chain whose newest event is {@code lastId} with link {@code head}. */
    public static AuditCheckpoint create(long lastId, byte[] head, long count, long keyedFrom, Instant at, AuditMac key) {
        Instant t = at.truncatedTo(ChronoUnit.MICROS);
        String h = HexFormat.of().formatHex(head);
        byte[] tag = key.computeMac(signedBytes(lastId, h, count, keyedFrom, t, key.keyLabel()));
        return new AuditCheckpoint(lastId, h, count, keyedFrom, t, key.keyLabel(), HexFormat.of().formatHex(tag));
    }

    /** Whether {@link #mac} is this checkpoint's tag under {@code key} (and {@code key} is the one it names). */
    public boolean authenticates(AuditMac key) {
        if (!keyLabel.equals(key.keyLabel())) {
            return false;
        }
        byte[] tag;
        try {
            tag = HexFormat.of().parseHex(mac);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return key.verifyMac(tag, signedBytes(lastId, head, count, keyedFrom, at, keyLabel));
    }

    /** The head as bytes. */
    public byte[] headBytes() {
        return HexFormat.of().parseHex(head);
    }

    private static byte[] signedBytes(long lastId, String head, long count, long keyedFrom, Instant at, String label) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(200);
        for (String f : new String[] {FORMAT, Long.toString(lastId), head, Long.toString(count), Long.toString(keyedFrom),
                at.toString(), label}) {
            byte[] b = f.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    /** One JSON line, without the line break. */
    public String toJsonLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("last_id", lastId);
        m.put("head", head);
        m.put("count", count);
        m.put("keyed_from", keyedFrom);
        m.put("at", at.toString());
        m.put("key", keyLabel);
        m.put("mac", mac);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a checkpoint as JSON", e);
        }
    }

    /**
     * Parses a line written by {@link #toJsonLine()} (without checking its MAC).
     *
     * @throws IllegalArgumentException naming what is wrong with the line
     */
    public static AuditCheckpoint parse(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (n == null || !n.isObject() || !FORMAT.equals(n.path("format").asText())) {
            throw new IllegalArgumentException("not a " + FORMAT + " line");
        }
        for (String f : new String[] {"last_id", "count", "keyed_from"}) {
            if (!n.path(f).canConvertToLong()) {
                throw new IllegalArgumentException("'" + f + "' is not a number");
            }
        }
        for (String f : new String[] {"head", "at", "key", "mac"}) {
            if (!n.path(f).isTextual()) {
                throw new IllegalArgumentException("'" + f + "' is missing");
            }
        }
        try {
            return new AuditCheckpoint(n.get("last_id").asLong(), n.get("head").asText(), n.get("count").asLong(),
                    n.get("keyed_from").asLong(), Instant.parse(n.get("at").asText()), n.get("key").asText(),
                    n.get("mac").asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'at' is not a time");
        }
    }
}
