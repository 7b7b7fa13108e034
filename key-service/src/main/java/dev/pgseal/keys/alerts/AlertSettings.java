package dev.pgseal.keys.alerts;

import dev.pgseal.keys.SecretSource;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code alerts} section of the server config: each rule on or off with its thresholds, and
 * the optional webhook. Every field has a default ({@link #DEFAULT}: every rule on, no webhook).
 *
 * @param deniedRequests rule {@code denied_requests}
 * @param decryptVolume rule {@code decrypt_volume}
 * @param deletionScheduled rule {@code deletion_scheduled}
 * @param keyCompromised rule {@code key_compromised}
 * @param configChange rule {@code config_change}
 * @param hsmError rule {@code hsm_error}
 * @param webhook where alerts are POSTed as JSON, if anywhere
 */
public record AlertSettings(DeniedRequests deniedRequests, DecryptVolume decryptVolume, EventRule deletionScheduled,
        EventRule keyCompromised, ConfigChange configChange, HsmError hsmError, Optional<Webhook> webhook) {

    /** Every rule on with its default thresholds; no webhook. */
    public static final AlertSettings DEFAULT = new AlertSettings(DeniedRequests.DEFAULT, DecryptVolume.DEFAULT,
            EventRule.DEFAULT, EventRule.DEFAULT, ConfigChange.DEFAULT, HsmError.DEFAULT, Optional.empty());

    public AlertSettings {
        Objects.requireNonNull(deniedRequests, "deniedRequests");
        Objects.requireNonNull(decryptVolume, "decryptVolume");
        Objects.requireNonNull(deletionScheduled, "deletionScheduled");
        Objects.requireNonNull(keyCompromised, "keyCompromised");
        Objects.requireNonNull(configChange, "configChange");
        Objects.requireNonNull(hsmError, "hsmError");
        Objects.requireNonNull(webhook, "webhook");
    }

    /** Whether {@code rule} is on. */
    public boolean enabled(AlertRule rule) {
        return switch (rule) {
            case DENIED_REQUESTS -> deniedRequests.enabled();
            case DECRYPT_VOLUME -> decryptVolume.enabled();
            case DELETION_SCHEDULED -> deletionScheduled.enabled();
            case KEY_COMPROMISED -> keyCompromised.enabled();
            case CONFIG_CHANGE -> configChange.enabled();
            case HSM_ERROR -> hsmError.enabled();
            case AUDIT_TAMPERING -> true;
        };
    }

    /** A copy with another webhook. */
    public AlertSettings withWebhook(Optional<Webhook> hook) {
        return new AlertSettings(deniedRequests, decryptVolume, deletionScheduled, keyCompromised, configChange,
                hsmError, hook);
    }

    /**
     * {@code denied_requests}: at least {@code threshold} admin API requests answered 401 or 403
     * within {@code window}, from one principal or from one address. At most one alert per subject
     * per window.
     */
    public record DeniedRequests(boolean enabled, int threshold, Duration window) {
        public static final DeniedRequests DEFAULT = new DeniedRequests(true, 5, Duration.ofSeconds(60));

        public DeniedRequests {
            if (threshold < 1 || threshold > 100_000) {
                throw new IllegalArgumentException("denied_requests.threshold: " + threshold + " (expected: 1..100000)");
            }
            positive(window, "denied_requests.window");
        }
    }

    /**
     * {@code decrypt_volume}: a principal's decrypt calls (audit actions in {@code actions}) within
     * the last {@code window} reach {@code floor} and exceed {@code factor} times its mean per
     * window over the {@code baseline} before it (its own history, kept in memory). A principal
     * with less than one window of history (new, or the server restarted) fires only at
     * {@code factor} times {@code floor}. At most one alert per principal per window.
     */
    public record DecryptVolume(boolean enabled, double factor, long floor, Duration window, Duration baseline,
            List<String> actions) {
        public static final List<String> DEFAULT_ACTIONS = List.of("api.keys.decrypt");
        public static final DecryptVolume DEFAULT = new DecryptVolume(true, 5.0, 100, Duration.ofHours(1),
                Duration.ofHours(24), DEFAULT_ACTIONS);

        public DecryptVolume {
            if (!(factor >= 1.0) || factor > 1_000_000) {
                throw new IllegalArgumentException("decrypt_volume.factor: " + factor + " (expected: 1..1000000)");
            }
            if (floor < 1) {
                throw new IllegalArgumentException("decrypt_volume.floor: " + floor + " (expected: at least 1)");
            }
            positive(window, "decrypt_volume.window");
            positive(baseline, "decrypt_volume.baseline");
            if (window.toSeconds() < 60) {
                throw new IllegalArgumentException("decrypt_volume.window: " + window + " (expected: at least 60s)");
            }
            if (baseline.compareTo(window) < 0 || baseline.toSeconds() / window.toSeconds() > 24 * 30) {
                throw new IllegalArgumentException("decrypt_volume.baseline: " + baseline
                        + " (expected: from one window to 720 windows)");
            }
            actions = List.copyOf(actions);
            if (actions.isEmpty()) {
                throw new IllegalArgumentException("decrypt_volume.actions: at least one audit action");
            }
        }
    }

    /**
     * A rule that fires on each matching audit event: one alert per subject (the event's object)
     * per {@code window}.
     */
    public record EventRule(boolean enabled, Duration window) {
        public static final EventRule DEFAULT = new EventRule(true, Duration.ofSeconds(60));

        public EventRule {
            positive(window, "window");
        }
    }

    /** {@code config_change}: like {@link EventRule}, on the audit actions {@code actions}. */
    public record ConfigChange(boolean enabled, Duration window, List<String> actions) {
        public static final List<String> DEFAULT_ACTIONS = List.of("config.change");
        public static final ConfigChange DEFAULT = new ConfigChange(true, Duration.ofSeconds(60), DEFAULT_ACTIONS);

        public ConfigChange {
            positive(window, "config_change.window");
            actions = List.copyOf(actions);
            if (actions.isEmpty()) {
                throw new IllegalArgumentException("config_change.actions: at least one audit action");
            }
        }
    }

    /**
     * {@code hsm_error}: the master key store's health is probed every {@code checkInterval}; a
     * probe that fails, more failed data-key unwraps than at the last probe, or a failed
     * {@code key.unwrap} audit event fire it. At most one alert per {@code window}.
     */
    public record HsmError(boolean enabled, Duration window, Duration checkInterval) {
        public static final HsmError DEFAULT = new HsmError(true, Duration.ofMinutes(5), Duration.ofSeconds(30));

        public HsmError {
            positive(window, "hsm_error.window");
            positive(checkInterval, "hsm_error.check_interval");
        }
    }

    /**
     * The webhook: each alert is POSTed as JSON to {@code url} from a queue of at most
     * {@code queue} alerts, with {@code timeout} per attempt and at most {@code retries} more
     * attempts (on a network error, 429 or 5xx). With a {@code secret}, the body's HMAC-SHA256
     * under it is sent as {@code X-Pgseal-Signature: sha256=<hex>}.
     */
    public record Webhook(URI url, Duration timeout, int retries, int queue, Optional<SecretSource> secret) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
        public static final int DEFAULT_RETRIES = 2;
        public static final int DEFAULT_QUEUE = 100;

        public Webhook {
            Objects.requireNonNull(url, "url");
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("webhook.url: expected an http:// or https:// URL, not " + url);
            }
            positive(timeout, "webhook.timeout");
            if (retries < 0 || retries > 10) {
                throw new IllegalArgumentException("webhook.retries: " + retries + " (expected: 0..10)");
            }
            if (queue < 1 || queue > 100_000) {
                throw new IllegalArgumentException("webhook.queue: " + queue + " (expected: 1..100000)");
            }
            Objects.requireNonNull(secret, "secret");
        }

        /** A webhook to {@code url} with the default timeout, retries and queue, unsigned. */
        public static Webhook to(URI url) {
            return new Webhook(url, DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_QUEUE, Optional.empty());
        }
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + ": " + d + " (expected: positive)");
        }
    }
}
