package dev.pgseal.keys.alerts;

import dev.pgseal.keys.audit.AuditEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code decrypt_volume}: per principal, decrypt calls in time buckets of a sixtieth of the window
 * (one minute for a one-hour window), kept for the window and the baseline before it. A call
 * fires when the count within the last window reaches the floor and exceeds the factor times the
 * principal's mean per window over the history it has (at most the baseline). A principal with
 * less than one window of history (new, or the server restarted: history lives in memory) fires
 * only at factor times the floor. Running sums keep each call O(1). Not thread-safe.
 */
final class DecryptVolumeRule {

    static final int BUCKETS_PER_WINDOW = 60;

    private final AlertSettings.DecryptVolume settings;
    private final Set<String> actions;
    private final long bucketMillis;
    private final int windowBuckets;
    private final int totalBuckets;
    private final Map<String, History> principals = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, History> eldest) {
            return size() > AlertThrottle.MAX_SUBJECTS;
        }
    };

    DecryptVolumeRule(AlertSettings.DecryptVolume settings) {
        this.settings = settings;
        this.actions = Set.copyOf(settings.actions());
        this.bucketMillis = Math.max(1000, settings.window().toMillis() / BUCKETS_PER_WINDOW);
        this.windowBuckets = (int) Math.max(1, settings.window().toMillis() / bucketMillis);
        this.totalBuckets = windowBuckets + (int) Math.max(1, settings.baseline().toMillis() / bucketMillis);
    }

    /** The alert {@code event} completes (before de-duplication), if any. */
    Optional<Alert> observe(AuditEvent event, Instant now) {
        if (event.outcome() != AuditEvent.Outcome.SUCCESS || !actions.contains(event.action())) {
            return Optional.empty();
        }
        History h = principals.computeIfAbsent(event.actor(), a -> new History());
        long bucket = Math.floorDiv(now.toEpochMilli(), bucketMillis);
        h.add(bucket);
        double mean = h.meanPerWindow(bucket);
        boolean known = h.knownHistory(bucket);
        long current = h.current;
        // Without a window of history (a new principal, or this server just started) the mean
        // means nothing: only factor x floor fires, so restarts do not alert on every busy principal.
        double threshold = known ? Math.max(settings.floor() - 0.5, settings.factor() * mean)
                : settings.factor() * settings.floor() - 0.5;
        if (current <= threshold) {
            return Optional.empty();
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("count", current);
        d.put("baseline_mean", String.format(Locale.ROOT, "%.1f", mean));
        d.put("factor", String.format(Locale.ROOT, "%s", settings.factor()));
        d.put("floor", settings.floor());
        d.put("history", known);
        d.put("window_seconds", settings.window().toSeconds());
        d.put("baseline_seconds", settings.baseline().toSeconds());
        d.put("last_action", event.action());
        String why = known ? "over " + settings.factor() + "x its mean of " + d.get("baseline_mean") + " per window"
                : "with no history yet, at least " + settings.factor() + "x the floor of " + settings.floor();
        return Optional.of(new Alert(AlertRule.DECRYPT_VOLUME, "principal:" + event.actor(), now, current
                + " decrypt calls by principal " + event.actor() + " within " + settings.window().toSeconds() + "s, "
                + why, d));
    }

    /** One principal's counts: a ring of buckets, the sum in the current window and the sum before it. */
    private final class History {
        final long[] counts = new long[totalBuckets];
        long head = Long.MIN_VALUE; // the newest bucket seen
        long first; // the first bucket seen
        long current; // buckets (head - windowBuckets, head]
        long baseline; // buckets (head - totalBuckets, head - windowBuckets]

        void add(long bucket) {
            if (head == Long.MIN_VALUE) {
                head = bucket;
                first = bucket;
            } else if (bucket > head) {
                advanceTo(bucket);
            }
            // A bucket older than the head (clock step back) is counted in the head's bucket.
            counts[slot(head)]++;
            current++;
        }

        private void advanceTo(long bucket) {
            if (bucket - head >= totalBuckets) {
                java.util.Arrays.fill(counts, 0);
                current = 0;
                baseline = 0;
                head = bucket;
                return;
            }
            for (long b = head + 1; b <= bucket; b++) {
                int leaving = slot(b - totalBuckets); // same slot as b: falls out of the baseline
                baseline -= counts[leaving];
                counts[leaving] = 0;
                int aging = slot(b - windowBuckets); // moves from the current window to the baseline
                current -= counts[aging];
                baseline += counts[aging];
            }
            head = bucket;
        }

        /** The mean per window over the history before the current window (0 without any). */
        double meanPerWindow(long bucket) {
            long historyBuckets = Math.min(totalBuckets - windowBuckets, bucket - windowBuckets - first + 1);
            if (historyBuckets <= 0) {
                return 0;
            }
            return baseline * (double) windowBuckets / historyBuckets;
        }

        /** Whether at least one window of history precedes the current window. */
        boolean knownHistory(long bucket) {
            return bucket - windowBuckets - first + 1 >= windowBuckets;
        }

        private int slot(long b) {
            return (int) Math.floorMod(b, (long) totalBuckets);
        }
    }
}
