package dev.pgseal.keys.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code audit} section of the server config: where signed checkpoints of the audit chain are
 * appended outside PostgreSQL, how often, and the label of the audit key.
 *
 * @param checkpointFile the file checkpoints are appended to (one JSON line each); empty: none are
 *     written, and a truncated tail of the log is then only noticed by a running instance
 * @param checkpointInterval how often a running instance checks the chain and writes a checkpoint
 *     (also at shutdown)
 * @param keyLabel the label of the HMAC key in the keystore (HSM token or software keystore)
 */
public record AuditSettings(Optional<Path> checkpointFile, Duration checkpointInterval, String keyLabel) {

    /** Five minutes, as CloudTrail-style digests go: small enough to bound what a truncation can hide. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(5);
    /** The audit key's label when the config names none. */
    public static final String DEFAULT_KEY_LABEL = "pgseal-audit";
    /** No checkpoint file, the default interval and key label. */
    public static final AuditSettings DEFAULT =
            new AuditSettings(Optional.empty(), DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_KEY_LABEL);

    public AuditSettings {
        Objects.requireNonNull(checkpointFile, "checkpointFile");
        checkpointInterval = checkpointInterval == null ? DEFAULT_CHECKPOINT_INTERVAL : checkpointInterval;
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("audit.checkpoint_interval must be positive, not " + checkpointInterval);
        }
        keyLabel = keyLabel == null || keyLabel.isBlank() ? DEFAULT_KEY_LABEL : keyLabel;
    }

    /** Checkpoints to {@code file} every {@code interval} (null: the default), with the default key label. */
    public static AuditSettings checkpointsTo(Path file, Duration interval) {
        return new AuditSettings(Optional.of(file), interval, DEFAULT_KEY_LABEL);
    }
}
