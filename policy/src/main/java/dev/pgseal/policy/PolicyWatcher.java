package dev.pgseal.policy;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the policy in force and replaces it when the file changes: the server reads
 * {@link #current()} for each new statement. A valid new file replaces the policy and notifies the
 * listeners with the tables that changed (so cached plans can be dropped); an invalid one is
 * rejected and logged with all its errors, and the previous policy stays in force.
 *
 * <p>Reloads happen on {@link #reload()} (the server calls it on SIGHUP) and, when watching, after
 * the file's folder reports a change to the file, debounced so that an editor's burst of writes
 * (or a save by rename) causes one reload. Close it to stop watching.
 */
public final class PolicyWatcher implements Closeable {

    /** The debounce used by {@link #start(Path)}. */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(300);

    private static final Logger LOG = LoggerFactory.getLogger(PolicyWatcher.class);

    private final Path file;
    private final AtomicReference<Policy> current;
    private final List<PolicyChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final Object reloadLock = new Object();
    private final Duration debounce;
    private final WatchService watchService;
    private final ScheduledExecutorService scheduler;
    private final Thread watchThread;
    private ScheduledFuture<?> pending;
    private volatile boolean closed;

    private PolicyWatcher(Path file, Policy initial, Duration debounce, boolean watch) throws IOException {
        this.file = file;
        this.current = new AtomicReference<>(initial);
        this.debounce = debounce;
        if (watch) {
            Path folder = file.toAbsolutePath().getParent();
            this.watchService = FileSystems.getDefault().newWatchService();
            folder.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "pgseal-policy-reload"));
            this.watchThread = daemon(this::watchLoop, "pgseal-policy-watch");
            this.watchThread.start();
        } else {
            this.watchService = null;
            this.scheduler = null;
            this.watchThread = null;
        }
    }

    /**
     * Loads {@code file} and watches it with the default debounce.
     *
     * @throws InvalidPolicyException when the file is invalid now (the server must not start)
     * @throws IOException when the file's folder cannot be watched
     */
    public static PolicyWatcher start(Path file) throws IOException {
        return start(file, DEFAULT_DEBOUNCE, true);
    }

    /**
     * Loads {@code file}; when {@code watch} is true, also reloads it after changes (waiting for
     * {@code debounce} of quiet first). With {@code watch} false only {@link #reload()} reloads.
     *
     * @throws InvalidPolicyException when the file is invalid now
     * @throws IOException when the file's folder cannot be watched
     */
    public static PolicyWatcher start(Path file, Duration debounce, boolean watch) throws IOException {
        PolicyLoadResult first = PolicyLoader.load(file);
        first.warnings().forEach(w -> LOG.warn("{}", w));
        return new PolicyWatcher(file, first.orElseThrow(), debounce, watch);
    }

    /** The policy in force. */
    public Policy current() {
        return current.get();
    }

    /** The watched file. */
    public Path file() {
        return file;
    }

    /** Registers a listener for accepted changes. */
    public void addListener(PolicyChangeListener listener) {
        listeners.add(listener);
    }

    public void removeListener(PolicyChangeListener listener) {
        listeners.remove(listener);
    }

    /**
     * Reads the file now and puts it in force if it is valid and different. Safe to call from any
     * thread; reloads never overlap.
     */
    public ReloadOutcome reload() {
        synchronized (reloadLock) {
            PolicyLoadResult result = PolicyLoader.load(file);
            if (!result.isValid()) {
                LOG.error("policy {} rejected, the previous policy stays in force ({} error{}):", file,
                        result.errors().size(), result.errors().size() == 1 ? "" : "s");
                result.errors().forEach(e -> LOG.error("  {}", e));
                return new ReloadOutcome.Rejected(result.errors());
            }
            Policy before = current.get();
            Policy after = result.policy().orElseThrow();
            result.warnings().forEach(w -> LOG.warn("{}", w));
            if (after.equals(before)) {
                LOG.info("policy {} reloaded: no change", file);
                return new ReloadOutcome.Unchanged();
            }
            current.set(after);
            var changed = Policy.changedTables(before, after);
            List<BindingChange> bindings = BindingChange.between(before, after);
            for (BindingChange binding : bindings) {
                LOG.warn("policy {}: {}", file, binding.describe());
            }
            LOG.info("policy {} reloaded: {} table{} changed {}", file, changed.size(), changed.size() == 1 ? "" : "s",
                    changed);
            for (PolicyChangeListener listener : listeners) {
                try {
                    listener.policyChanged(before, after, changed);
                } catch (RuntimeException e) {
                    LOG.error("a policy change listener failed", e);
                }
            }
            return new ReloadOutcome.Applied(changed, result.warnings(), bindings);
        }
    }

    private void watchLoop() {
        Path name = file.getFileName();
        try {
            while (!closed) {
                WatchKey key = watchService.take();
                boolean relevant = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context());
                }
                key.reset();
                if (relevant) {
                    scheduleReload();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private synchronized void scheduleReload() {
        if (closed) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        pending = scheduler.schedule(() -> {
            try {
                reload();
            } catch (RuntimeException e) {
                LOG.error("policy reload failed", e);
            }
        }, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops watching; {@link #current()} keeps answering with the last policy. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            if (pending != null) {
                pending.cancel(false);
            }
        }
        if (watchService != null) {
            watchService.close();
            scheduler.shutdownNow();
            watchThread.interrupt();
        }
    }
}
