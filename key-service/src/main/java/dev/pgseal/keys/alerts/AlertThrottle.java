package dev.pgseal.keys.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One alert per rule and subject per window: remembers when each (rule, subject) last fired, for
 * at most {@link #MAX_SUBJECTS} of them (the least recently fired are forgotten first). Not
 * thread-safe: the rules run on one thread.
 */
final class AlertThrottle {

    static final int MAX_SUBJECTS = 10_000;

    private final Map<String, Instant> lastFired = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > MAX_SUBJECTS;
        }
    };

    /** Whether an alert of {@code rule} on {@code subject} may fire at {@code now}; if so, remembers it. */
    boolean tryFire(AlertRule rule, String subject, Instant now, Duration window) {
        String key = rule.id() + '\0' + subject;
        Instant last = lastFired.get(key);
        if (last != null && now.isBefore(last.plus(window))) {
            return false;
        }
        lastFired.put(key, now);
        return true;
    }
}
