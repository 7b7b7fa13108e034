package dev.pgseal.testing.hsm;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.SecretSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private SoftHSM2 token for tests, one per JVM, created on first use with {@code softhsm2-util}.
 *
 * <p>SoftHSM2 reads its config from the {@code SOFTHSM2_CONF} environment variable when the
 * PKCS#11 library is first loaded, and a JVM cannot set its own environment: so the build sets the
 * variable for the test JVM (failsafe/surefire {@code environmentVariables}, pointing into the build
 * folder) and this fixture writes that file (a private token folder next to it) if it is missing,
 * then initialises the token, before any PKCS#11 call. SoftHSM2 does not see tokens created after
 * the library was initialised, so get the token before opening any PKCS#11 provider. Each JVM gets
 * its own token label; the token is deleted at JVM exit.
 *
 * <p>Without {@code SOFTHSM2_CONF} (an IDE run) the system config is used (as root in CI:
 * {@code /etc/softhsm/softhsm2.conf}). Child processes (a pgseal server started by a test) must get
 * {@link #environment()}.
 */
public final class SoftHsmToken {

    /** Where Debian's softhsm2 package installs the PKCS#11 module. */
    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    /** The token's user PIN. */
    public static final String PIN = "pgseal-test-pin";
    private static final String SO_PIN = "pgseal-test-so-pin";

    private static SoftHsmToken instance;
    private static SoftHsmToken isolated;

    private final String label;
    private final Path configFile;
    private final Path pinFile;

    private SoftHsmToken(String label, Path configFile, Path pinFile) {
        this.label = label;
        this.configFile = configFile;
        this.pinFile = pinFile;
    }

    /** The token of this JVM, created on first call. */
    public static synchronized SoftHsmToken get() {
        if (instance == null) {
            instance = create("");
            isolated = create("-isolated");
        }
        return instance;
    }

    /**
     * A second token of this JVM, for tests that break their PKCS#11 session on purpose (a logout
     * logs out every session of the process on that token). Created together with {@link #get()},
     * because SoftHSM2 does not see tokens created after it was initialised.
     */
    public static synchronized SoftHsmToken isolated() {
        get();
        return isolated;
    }

    private static SoftHsmToken create(String suffix) {
        if (!Files.isRegularFile(LIBRARY)) {
            throw new IllegalStateException("SoftHSM2 is not installed (" + LIBRARY + " is missing): apt-get install softhsm2");
        }
        try {
            String env = System.getenv("SOFTHSM2_CONF");
            Path config = env == null || env.isBlank() ? null : Path.of(env);
            Path tokens = config == null ? null : config.toAbsolutePath().getParent().resolve("softhsm-tokens");
            if (tokens != null) {
                Files.createDirectories(tokens); // also after a partial clean that kept the config
            }
            if (config != null && !Files.exists(config)) {
                Path tmp = Files.createTempFile(config.toAbsolutePath().getParent(), "softhsm2", ".conf");
                Files.writeString(tmp, "directories.tokendir = " + tokens + "\n"
                        + "objectstore.backend = file\n"
                        + "log.level = ERROR\n"
                        + "slots.removable = false\n", StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    Files.deleteIfExists(tmp); // another JVM wrote it first
                }
            }
            if (suffix.isEmpty()) {
                deleteTokensOfDeadJvms(config);
            }
            String label = "pgseal-test-" + ProcessHandle.current().pid() + suffix;
            run(config, "softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", PIN);
            Path pinFile = Files.createTempFile("pgseal-hsm-pin", ".txt");
            Files.writeString(pinFile, PIN, StandardCharsets.UTF_8);
            pinFile.toFile().deleteOnExit();
            SoftHsmToken token = new SoftHsmToken(label, config, pinFile);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run(config, "softhsm2-util", "--delete-token", "--token", label);
                } catch (RuntimeException ignored) {
                    // best effort: the token lives under the build folder
                }
            }));
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a SoftHSM2 token", e);
        }
    }

    /** Deletes tokens left by test JVMs that died before their shutdown hook ran. */
    private static void deleteTokensOfDeadJvms(Path config) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Label:\\s+(pgseal-test-(\\d+)(-isolated)?)\\s*$",
                java.util.regex.Pattern.MULTILINE).matcher(run(config, "softhsm2-util", "--show-slots"));
        while (m.find()) {
            long pid = Long.parseLong(m.group(2));
            if (ProcessHandle.of(pid).isEmpty()) {
                run(config, "softhsm2-util", "--delete-token", "--token", m.group(1));
            }
        }
    }

    private static String run(Path config, String... command) {
        try {
            // Output goes to a file: reading a pipe to its end would wait however long the tool hangs.
            Path outputFile = Files.createTempFile("pgseal-softhsm", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(outputFile.toFile());
                if (config != null) {
                    pb.environment().put("SOFTHSM2_CONF", config.toString());
                }
                Process p = pb.start();
                boolean finished = p.waitFor(60, TimeUnit.SECONDS);
                if (!finished) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                String output = Files.readString(outputFile, StandardCharsets.UTF_8);
                if (!finished || p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", List.of(command).subList(0, 2))
                            + (finished ? " failed: " : " did not finish within 60 s: ") + output);
                }
                return output;
            } finally {
                Files.deleteIfExists(outputFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0] + " (is softhsm2 installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The token's label. */
    public String label() {
        return label;
    }

    /** The user PIN. */
    public String pin() {
        return PIN;
    }

    /** A file holding the user PIN (for {@code pin_file}). */
    public Path pinFile() {
        return pinFile;
    }

    /** The SoftHSM2 config in use, if not the system one. */
    public Optional<Path> configFile() {
        return Optional.ofNullable(configFile);
    }

    /** Environment variables a child process needs to see this token. */
    public Map<String, String> environment() {
        return configFile == null ? Map.of() : Map.of("SOFTHSM2_CONF", configFile.toString());
    }

    /** A {@code keystore} section for this token (PIN from {@link #pinFile()}). */
    public KeystoreSettings keystoreSettings(String masterKeyLabel) {
        return new KeystoreSettings(KeystoreSettings.Type.PKCS11, Optional.of(LIBRARY), Optional.of(label),
                Optional.of(SecretSource.file(pinFile)), masterKeyLabel, Optional.empty(), Optional.empty());
    }

    /** A {@code keystore} section for this token with a wrong PIN (for failure tests). */
    public KeystoreSettings keystoreSettingsWithPin(String masterKeyLabel, String pin) {
        try {
            Path f = Files.createTempFile("pgseal-hsm-wrong-pin", ".txt");
            f.toFile().deleteOnExit();
            Files.writeString(f, pin, StandardCharsets.UTF_8);
            return new KeystoreSettings(KeystoreSettings.Type.PKCS11, Optional.of(LIBRARY), Optional.of(label),
                    Optional.of(SecretSource.file(f)), masterKeyLabel, Optional.empty(), Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "SoftHSM2 token '" + label + "'" + (configFile == null ? "" : " (" + configFile + ")");
    }
}
