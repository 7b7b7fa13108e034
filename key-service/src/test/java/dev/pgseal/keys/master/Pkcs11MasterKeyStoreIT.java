package dev.pgseal.keys.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.WrappedKey;
import dev.pgseal.testing.hsm.SoftHsmToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.SecureRandom;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pkcs11MasterKeyStoreIT {

    private static final SoftHsmToken TOKEN = SoftHsmToken.get();
    private static final byte[] AAD = {1, 2, 3};

    private static Pkcs11MasterKeyStore open(String label) {
        return (Pkcs11MasterKeyStore) MasterKeyStore.open(TOKEN.keystoreSettings(label));
    }

    @Test
    void masterKeyIsCreatedOnTheTokenAsAnUnextractableObject() throws Exception {
        try (Pkcs11MasterKeyStore store = open("mk-unextractable")) {
            Key key = store.keyObject("mk-unextractable");
            assertThat(key).isNotNull();
            assertThat(key.getEncoded()).as("a sensitive key exposes no bytes").isNull();
            assertThat(key.toString()).contains("token object", "sensitive", "unextractable");
            SecretKeyFactory factory = SecretKeyFactory.getInstance("AES", store.provider());
            assertThatThrownBy(() -> factory.getKeySpec((javax.crypto.SecretKey) key, SecretKeySpec.class))
                    .isInstanceOf(Exception.class);
        }
    }

    @Test
    void aSecondOpenFindsTheSameMasterKeyByLabel() {
        SecretBytes dek = SecretBytes.random(32, new SecureRandom());
        WrappedKey wrapped;
        try (Pkcs11MasterKeyStore first = open("mk-reopen")) {
            wrapped = first.wrap(dek, AAD);
        }
        try (Pkcs11MasterKeyStore second = open("mk-reopen")) {
            assertThat(second.unwrap(wrapped, AAD).equalsSecret(dek)).isTrue();
        }
    }

    @Test
    void wrapUnwrapRoundTripsAndBindsAssociatedDataAndBytes() {
        try (Pkcs11MasterKeyStore store = open("mk-roundtrip")) {
            SecretBytes dek = SecretBytes.random(32, new SecureRandom());
            WrappedKey wrapped = store.wrap(dek, AAD);
            assertThat(wrapped.masterKeyLabel()).isEqualTo("mk-roundtrip");
            assertThat(wrapped.bytes()).hasSize(1 + 12 + 32 + 16);
            SecretBytes back = store.unwrap(wrapped, AAD);
            assertThat(back.equalsSecret(dek)).isTrue();
            assertThat(back.reveal(SecretAccess.INSTANCE)).isEqualTo(dek.reveal(SecretAccess.INSTANCE));

            assertThatThrownBy(() -> store.unwrap(wrapped, new byte[] {1, 2, 4}))
                    .isInstanceOf(MasterKeyStoreException.class).hasMessageContaining("does not authenticate");
            for (int i = 1; i < wrapped.bytes().length; i += 7) {
                byte[] tampered = wrapped.bytes().clone();
                tampered[i] ^= 1;
                assertThatThrownBy(() -> store.unwrap(new WrappedKey("mk-roundtrip", tampered), AAD))
                        .isInstanceOf(MasterKeyStoreException.class);
            }
        }
    }

    @Test
    void aNewMasterKeyBecomesCurrentAndTheOldOneStillUnwraps() {
        try (Pkcs11MasterKeyStore store = open("mk-rotate")) {
            SecretBytes dek = SecretBytes.random(32, new SecureRandom());
            WrappedKey old = store.wrap(dek, AAD);
            String fresh = store.createNewMasterKey();
            assertThat(fresh).isEqualTo("mk-rotate-2");
            assertThat(store.currentMasterKeyLabel()).isEqualTo(fresh);
            assertThat(store.wrap(dek, AAD).masterKeyLabel()).isEqualTo(fresh);
            assertThat(store.unwrap(old, AAD).equalsSecret(dek)).isTrue();
            store.useMasterKey("mk-rotate");
            assertThatThrownBy(() -> store.deleteMasterKey("mk-rotate")).hasMessageContaining("is current");
            store.useMasterKey(fresh);
            store.deleteMasterKey("mk-rotate");
            assertThat(store.containsMasterKey("mk-rotate")).isFalse();
            assertThatThrownBy(() -> store.unwrap(old, AAD)).hasMessageContaining("no master key labelled 'mk-rotate'");
        }
    }

    @Test
    void aWrongPinStopsTheStartWithOneClearMessage() {
        assertThatThrownBy(() -> MasterKeyStore.open(TOKEN.keystoreSettingsWithPin("mk-pin", "not-the-pin")))
                .isInstanceOf(MasterKeyStoreException.class)
                .hasMessage("wrong PIN for PKCS#11 token '" + TOKEN.label() + "' (CKR_PIN_INCORRECT)");
    }

    @Test
    void aMissingTokenLabelIsNamedAndNeverFallsBackToSoftware() {
        KeystoreSettings s = TOKEN.keystoreSettings("mk-x");
        KeystoreSettings missing = new KeystoreSettings(s.type(), s.library(), Optional.of("no-such-token"), s.pin(),
                "mk-x", Optional.of(Path.of("/tmp/never.p12")), s.pin());
        assertThatThrownBy(() -> MasterKeyStore.open(missing))
                .isInstanceOf(MasterKeyStoreException.class)
                .hasMessageStartingWith("no PKCS#11 token labelled 'no-such-token' in " + SoftHsmToken.LIBRARY)
                .hasMessageContaining("'" + TOKEN.label() + "'");
        assertThat(Path.of("/tmp/never.p12")).doesNotExist();
    }

    @Test
    void aMissingLibraryIsNamed() {
        KeystoreSettings s = TOKEN.keystoreSettings("mk-x");
        KeystoreSettings missing = new KeystoreSettings(s.type(), Optional.of(Path.of("/nonexistent/libpkcs11.so")),
                s.tokenLabel(), s.pin(), "mk-x", Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> MasterKeyStore.open(missing))
                .isInstanceOf(MasterKeyStoreException.class)
                .hasMessage("PKCS#11 library /nonexistent/libpkcs11.so does not exist (keystore.library)");
    }

    @Test
    void anUnsetPinVariableIsNamed() {
        KeystoreSettings s = TOKEN.keystoreSettings("mk-x");
        KeystoreSettings noPin = new KeystoreSettings(s.type(), s.library(), s.tokenLabel(),
                Optional.of(SecretSource.env("PGSEAL_TEST_SURELY_UNSET_PIN")), "mk-x", Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> MasterKeyStore.open(noPin))
                .isInstanceOf(MasterKeyStoreException.class)
                .hasMessageContaining("PGSEAL_TEST_SURELY_UNSET_PIN is not set");
    }

    @Test
    void theSoftwareStoreRoundTripsAcrossReopensAndRefusesAWrongPassphrase(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys.p12");
        Path pass = dir.resolve("pass");
        Files.writeString(pass, "correct horse");
        KeystoreSettings settings = new KeystoreSettings(KeystoreSettings.Type.SOFTWARE, Optional.empty(),
                Optional.empty(), Optional.empty(), "soft-master", Optional.of(file), Optional.of(SecretSource.file(pass)));
        SecretBytes dek = SecretBytes.random(32, new SecureRandom());
        WrappedKey wrapped;
        try (MasterKeyStore store = MasterKeyStore.open(settings)) {
            assertThat(store.description()).contains("not an HSM");
            wrapped = store.wrap(dek, AAD);
        }
        try (MasterKeyStore store = MasterKeyStore.open(settings)) {
            assertThat(store.unwrap(wrapped, AAD).equalsSecret(dek)).isTrue();
            assertThat(store.health().up()).isTrue();
        }
        Files.writeString(pass, "wrong horse");
        assertThatThrownBy(() -> MasterKeyStore.open(settings))
                .isInstanceOf(MasterKeyStoreException.class).hasMessageContaining("keys.p12");
    }
}
