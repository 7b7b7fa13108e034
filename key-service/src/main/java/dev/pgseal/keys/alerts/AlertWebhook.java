package dev.pgseal.keys.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs alerts as JSON to the configured URL from one thread of its own with a bounded queue: a
 * slow or failing receiver delays only other webhooks, never the server. Each attempt has the
 * configured timeout; a network error, 429 or 5xx is retried (at most {@code retries} more times,
 * backing off 0.5 s, 1 s, 2 s…); any other status is final. A failure is logged (WARN) and
 * reported to {@code onFailure}, never retried beyond that and never audited (an alert about the
 * alerting would loop).
 */
final class AlertWebhook implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SIGNATURE_HEADER = "X-Pgseal-Signature";

    private final AlertSettings.Webhook settings;
    private final HttpClient http;
    private final ThreadPoolExecutor sender;
    private final BiConsumer<Alert, String> onFailure;
    private final byte[] secret;

    AlertWebhook(AlertSettings.Webhook settings, BiConsumer<Alert, String> onFailure) {
        this.settings = settings;
        this.onFailure = onFailure;
        this.secret = settings.secret().map(s -> {
            char[] c = s.read();
            try {
                var b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(c));
                byte[] out = new byte[b.remaining()];
                b.get(out);
                return out;
            } finally {
                Arrays.fill(c, '\0');
            }
        }).orElse(null);
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.queue()), r -> {
                    Thread t = new Thread(r, "pgseal-alert-webhook");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Queues {@code alert} for delivery; when the queue is full the alert is not sent (logged, reported). */
    void send(Alert alert) {
        try {
            sender.execute(() -> deliver(alert));
        } catch (RejectedExecutionException e) {
            fail(alert, sender.isShutdown() ? "the webhook is closed" : "the webhook queue is full ("
                    + settings.queue() + " alerts waiting)");
        }
    }

    private void deliver(Alert alert) {
        byte[] body = payload(alert);
        HttpRequest.Builder b = HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "pgseal-alerts")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            b.header(SIGNATURE_HEADER, "sha256=" + HexFormat.of().formatHex(hmac(body)));
        }
        HttpRequest request = b.build();
        String last = null;
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            if (attempt > 0) {
                try {
                    Thread.sleep(500L << Math.min(attempt - 1, 5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail(alert, "interrupted while retrying (" + last + ")");
                    return;
                }
            }
            try {
                HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                int s = r.statusCode();
                if (s >= 200 && s < 300) {
                    return;
                }
                last = "HTTP " + s;
                if (s != 429 && s < 500) {
                    break; // the receiver refuses this alert: trying again will not help
                }
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(alert, "interrupted");
                return;
            }
        }
        fail(alert, last + " after " + (settings.retries() + 1) + " attempt(s)");
    }

    private void fail(Alert alert, String reason) {
        LOG.warn("alert webhook {} failed for alert {} on {}: {}", settings.url(), alert.rule().id(), alert.subject(),
                reason);
        try {
            onFailure.accept(alert, reason);
        } catch (RuntimeException e) {
            LOG.warn("alert webhook failure observer failed: {}", e.toString());
        }
    }

    /** The JSON body: {@code {"source":"pgseal","rule":…,"subject":…,"at":…,"message":…,"details":{…}}}. */
    static byte[] payload(Alert alert) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "pgseal");
        m.put("rule", alert.rule().id());
        m.put("subject", alert.subject());
        m.put("at", alert.at().toString());
        m.put("message", alert.message());
        m.put("details", alert.details());
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an alert as JSON", e);
        }
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Stops taking alerts; gives queued ones up to {@code timeout} to go out. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(settings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sender.shutdownNow();
        }
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
