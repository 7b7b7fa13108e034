package dev.pgseal.keys.master;

import dev.pgseal.keys.HealthStatus;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.WrappedKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Master keys in a passphrase-protected PKCS#12 file, for the demo and for machines without an
 * HSM. The keys sit in this process's memory and in a file: it is not an HSM, and says so with a
 * warning every time it is opened. Never chosen when the config asks for PKCS#11.
 */
public final class SoftwareMasterKeyStore implements MasterKeyStore {

    private static final Logger LOG = LoggerFactory.getLogger(SoftwareMasterKeyStore.class);

    private final Path file;
    private final char[] passphrase;
    private final KeyStore keyStore;
    private final Provider provider;
    private final String firstLabel;
    private volatile String current;

    private SoftwareMasterKeyStore(Path file, char[] passphrase, KeyStore keyStore, String firstLabel) throws GeneralSecurityException {
        this.file = file;
        this.passphrase = passphrase;
        this.keyStore = keyStore;
        this.firstLabel = firstLabel;
        this.provider = Cipher.getInstance("AES/GCM/NoPadding").getProvider();
    }

    /**
     * Opens (or creates) the PKCS#12 file and finds, or creates, the master key {@code masterKeyLabel}.
     *
     * @throws MasterKeyStoreException when the file cannot be read, written, or the passphrase is wrong
     */
    public static SoftwareMasterKeyStore open(Path file, char[] passphrase, String masterKeyLabel) {
        Objects.requireNonNull(file, "file");
        LOG.warn("master keys are in the software keystore {}: it is NOT an HSM, use it only for demos and tests", file);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    ks.load(in, passphrase);
                }
            } else {
                ks.load(null, passphrase);
            }
            SoftwareMasterKeyStore store = new SoftwareMasterKeyStore(file, passphrase.clone(), ks, masterKeyLabel);
            if (!store.containsMasterKey(masterKeyLabel)) {
                store.create(masterKeyLabel);
            }
            store.current = masterKeyLabel;
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
                throw new MasterKeyStoreException("wrong passphrase for software keystore " + file, e);
            }
            throw new MasterKeyStoreException("cannot read software keystore " + file + ": " + GcmKeyWrap.rootMessage(e), e);
        } catch (GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot open software keystore " + file + ": " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    private synchronized void create(String label) {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, new SecureRandom());
            SecretKey key = generator.generateKey();
            keyStore.setEntry(label, new KeyStore.SecretKeyEntry(key), new KeyStore.PasswordProtection(passphrase));
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, ".pgseal-keys", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                keyStore.store(out, passphrase);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot add master key '" + label + "' to software keystore " + file
                    + ": " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    private Key findKey(String label) {
        try {
            return keyStore.getKey(label, passphrase);
        } catch (GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot read master key '" + label + "' from software keystore " + file
                    + ": " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    private Key requireKey(String label) {
        Key k = findKey(label);
        if (k == null) {
            throw new MasterKeyStoreException("no master key labelled '" + label + "' in software keystore " + file);
        }
        return k;
    }

    @Override
    public String description() {
        return "software keystore " + file + " (not an HSM)";
    }

    @Override
    public String currentMasterKeyLabel() {
        return current;
    }

    @Override
    public boolean containsMasterKey(String label) {
        return findKey(label) != null;
    }

    @Override
    public void useMasterKey(String label) {
        requireKey(label);
        current = label;
    }

    @Override
    public synchronized String createNewMasterKey() {
        String label = MasterKeyLabels.next(firstLabel, l -> findKey(l) != null);
        create(label);
        current = label;
        return label;
    }

    @Override
    public WrappedKey wrap(SecretBytes dataKey, byte[] associatedData) {
        String label = current;
        try {
            return GcmKeyWrap.wrap(provider, requireKey(label), label, dataKey, associatedData);
        } catch (GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot wrap under master key '" + label + "': " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    public SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) {
        try {
            return GcmKeyWrap.unwrap(provider, requireKey(wrapped.masterKeyLabel()), wrapped, associatedData);
        } catch (AEADBadTagException e) {
            throw new MasterKeyStoreException("wrapped key does not authenticate under master key '"
                    + wrapped.masterKeyLabel() + "' (tampered, or bound to another ring or version)", e);
        } catch (GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot unwrap under master key '" + wrapped.masterKeyLabel() + "': "
                    + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    public synchronized void deleteMasterKey(String label) {
        if (label.equals(current)) {
            throw new MasterKeyStoreException("master key '" + label + "' is current and cannot be deleted");
        }
        try {
            keyStore.deleteEntry(label);
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore.store(out, passphrase);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot delete master key '" + label + "' from " + file + ": "
                    + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    public HealthStatus health() {
        try (SecretBytes probe = SecretBytes.random(32, new SecureRandom())) {
            wrap(probe, new byte[] {'h', 'e', 'a', 'l', 't', 'h'});
            return HealthStatus.up(description() + ", master key '" + current + "'");
        } catch (RuntimeException e) {
            return HealthStatus.down(e.getMessage());
        }
    }

    @Override
    public void close() {
        Arrays.fill(passphrase, '\0');
    }
}
