package dev.pgseal.keys.master;

import dev.pgseal.keys.MasterKeyStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
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
public final class SoftwareMasterKeyStore extends GcmMasterKeyStore {

    private static final Logger LOG = LoggerFactory.getLogger(SoftwareMasterKeyStore.class);

    private final Path file;
    private final char[] passphrase;
    private final KeyStore keyStore;

    private SoftwareMasterKeyStore(Path file, char[] passphrase, KeyStore keyStore, String firstLabel) throws GeneralSecurityException {
        super(Cipher.getInstance("AES/GCM/NoPadding").getProvider(), firstLabel);
        this.file = file;
        this.passphrase = passphrase;
        this.keyStore = keyStore;
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

    @Override
    synchronized void create(String label) {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, new SecureRandom());
            SecretKey key = generator.generateKey();
            keyStore.setEntry(label, new KeyStore.SecretKeyEntry(key), new KeyStore.PasswordProtection(passphrase));
            save();
        } catch (IOException | GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot add master key '" + label + "' to software keystore " + file
                    + ": " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    synchronized void createMacKey(String label) {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("HmacSHA256");
            generator.init(256, new SecureRandom());
            keyStore.setEntry(label, new KeyStore.SecretKeyEntry(generator.generateKey()),
                    new KeyStore.PasswordProtection(passphrase));
            save();
        } catch (IOException | GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot add audit key '" + label + "' to software keystore " + file
                    + ": " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    /** Writes the key store to a temporary file and moves it into place, so a crash leaves the old file whole. */
    private void save() throws IOException, GeneralSecurityException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".pgseal-keys", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            keyStore.store(out, passphrase);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    Key findKey(String label) {
        try {
            return keyStore.getKey(label, passphrase);
        } catch (GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot read master key '" + label + "' from software keystore " + file
                    + ": " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    public String description() {
        return "software keystore " + file + " (not an HSM)";
    }

    @Override
    synchronized void deleteEntry(String label) {
        try {
            keyStore.deleteEntry(label);
            save();
        } catch (IOException | GeneralSecurityException e) {
            throw new MasterKeyStoreException("cannot delete master key '" + label + "' from " + file + ": "
                    + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    String where() {
        return "in software keystore " + file;
    }

    @Override
    public void close() {
        Arrays.fill(passphrase, '\0');
    }
}
