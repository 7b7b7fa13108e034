package dev.pgseal.keys.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgseal.keys.DecryptionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * pgseal's asymmetric outputs checked by an implementation other than the one that made them:
 * classical signatures and ciphertexts (made on the JDK's providers) by Bouncy Castle, Bouncy
 * Castle's by pgseal's verify and decrypt; ML-DSA-65 and ML-KEM-768 (made on Bouncy Castle) by the
 * JDK 25's own implementations. Keys come from {@link KeyType#generate}, as rings get them.
 */
class KmsCrossCheckTest {

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] MESSAGE = "pgseal signs this".getBytes(StandardCharsets.UTF_8);

    /** A generated key pair read back as the data plane reads it. */
    private static KeyMaterial.Pair pair(KeyType type) {
        return KeyMaterial.read(type, type.generate(RANDOM).material());
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "RSA_3072_PSS", "ED25519"})
    void classicalSignaturesOfPgsealVerifyWithBouncyCastleAndTheOtherWayRound(KeyType type) throws Exception {
        KeyMaterial.Pair p = pair(type);
        PrivateKey pgsealPrivate = ClassicalKeys.privateKey(type, p.privateKey());
        PublicKey pgsealPublic = (PublicKey) PublicKeys.parse(type, p.spki());
        byte[] sig = ClassicalKeys.sign(type, pgsealPrivate, MESSAGE, RANDOM);

        String bcAlgorithm = switch (type) {
            case EC_P256 -> "SHA256withECDSA";
            case RSA_3072_PSS -> "SHA256withRSAandMGF1"; // PSS, MGF1-SHA256, salt 32 (BC's default for this name)
            default -> "Ed25519";
        };
        String keyAlgorithm = type == KeyType.EC_P256 ? "EC" : type == KeyType.ED25519 ? "Ed25519" : "RSA";
        PublicKey bcPublic = KeyFactory.getInstance(keyAlgorithm, BC).generatePublic(new X509EncodedKeySpec(p.spki()));
        Signature bc = Signature.getInstance(bcAlgorithm, BC);
        bc.initVerify(bcPublic);
        bc.update(MESSAGE);
        assertThat(bc.verify(sig)).as("Bouncy Castle verifies pgseal's " + type + " signature").isTrue();
        bc.initVerify(bcPublic);
        bc.update("another message".getBytes(StandardCharsets.UTF_8));
        assertThat(bc.verify(sig)).isFalse();

        PrivateKey bcPrivate = KeyFactory.getInstance(keyAlgorithm, BC).generatePrivate(new PKCS8EncodedKeySpec(p.privateKey()));
        Signature bcSign = Signature.getInstance(bcAlgorithm, BC);
        bcSign.initSign(bcPrivate, RANDOM);
        bcSign.update(MESSAGE);
        byte[] bcSig = bcSign.sign();
        assertThat(ClassicalKeys.verify(type, pgsealPublic, MESSAGE, bcSig)).as("pgseal verifies Bouncy Castle's").isTrue();
        bcSig[bcSig.length / 2] ^= 1;
        assertThat(ClassicalKeys.verify(type, pgsealPublic, MESSAGE, bcSig)).isFalse();
    }

    @Test
    void ed25519SignatureOfPgsealVerifiesWithBouncyCastlesLowLevelSigner() {
        KeyMaterial.Pair p = pair(KeyType.ED25519);
        byte[] sig = ClassicalKeys.sign(KeyType.ED25519, ClassicalKeys.privateKey(KeyType.ED25519, p.privateKey()),
                MESSAGE, RANDOM);
        byte[] raw = java.util.Arrays.copyOfRange(p.spki(), p.spki().length - 32, p.spki().length);
        Ed25519Signer v = new Ed25519Signer();
        v.init(false, new Ed25519PublicKeyParameters(raw));
        v.update(MESSAGE, 0, MESSAGE.length);
        assertThat(v.verifySignature(sig)).isTrue();
    }

    @Test
    void rsaOaepCiphertextsOfPgsealDecryptWithBouncyCastleAndTheOtherWayRound() throws Exception {
        KeyMaterial.Pair p = pair(KeyType.RSA_3072_OAEP);
        byte[] label = "header and context".getBytes(StandardCharsets.UTF_8);
        byte[] secret = "thirty-two bytes of a data key!!".getBytes(StandardCharsets.UTF_8);
        OAEPParameterSpec spec = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                new PSource.PSpecified(label));
        PublicKey pgsealPublic = (PublicKey) PublicKeys.parse(KeyType.RSA_3072_OAEP, p.spki());
        PrivateKey pgsealPrivate = ClassicalKeys.privateKey(KeyType.RSA_3072_OAEP, p.privateKey());

        Cipher bc = Cipher.getInstance("RSA/NONE/OAEPPadding", BC);
        bc.init(Cipher.DECRYPT_MODE, KeyFactory.getInstance("RSA", BC).generatePrivate(new PKCS8EncodedKeySpec(p.privateKey())),
                spec);
        assertThat(bc.doFinal(ClassicalKeys.oaepEncrypt(pgsealPublic, secret, label, RANDOM))).isEqualTo(secret);

        bc.init(Cipher.ENCRYPT_MODE, KeyFactory.getInstance("RSA", BC).generatePublic(new X509EncodedKeySpec(p.spki())),
                spec, RANDOM);
        byte[] ct = bc.doFinal(secret);
        assertThat(ClassicalKeys.oaepDecrypt(pgsealPrivate, ct, label)).isEqualTo(secret);
        assertThatThrownBy(() -> ClassicalKeys.oaepDecrypt(pgsealPrivate, ct, "another label".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecryptionException.class);
    }

    @Test
    void postQuantumOutputsOfPgsealCheckOutWithTheJdk25sOwnMlDsaAndMlKem(@TempDir Path dir) throws Exception {
        Optional<Path> java = Jdk25.java();
        assumeTrue(java.isPresent(), "no JDK 25 installed (set PGSEAL_TEST_JDK25): the independent ML-DSA/ML-KEM check "
                + "is skipped");
        KeyMaterial.Pair dsa = pair(KeyType.ML_DSA_65);
        KeyMaterial.Pair kem = pair(KeyType.ML_KEM_768);
        Files.write(dir.resolve("mldsa.pub"), dsa.spki());
        Files.write(dir.resolve("mlkem.pub"), kem.spki());
        byte[][] messages = {MESSAGE, new byte[0], new byte[5000]};
        for (int i = 0; i < messages.length; i++) {
            Files.write(dir.resolve("msg." + i), messages[i]);
            Files.write(dir.resolve("sig." + i), MlDsa65.sign(dsa.privateKey(), messages[i], RANDOM));
        }
        byte[] tampered = MlDsa65.sign(dsa.privateKey(), MESSAGE, RANDOM);
        tampered[100] ^= 1;
        Files.write(dir.resolve("msg.3"), MESSAGE);
        Files.write(dir.resolve("sig.3"), tampered);

        List<String> out = Jdk25.runCheck(java.get(), dir);

        assertThat(out).contains("verify 0 true", "verify 1 true", "verify 2 true", "verify 3 false");
        for (int i = 0; i < 3; i++) {
            byte[] ct = Files.readAllBytes(dir.resolve("kem." + i + ".ct"));
            assertThat(MlKem768.decapsulate(kem.privateKey(), ct)).as("pgseal decapsulates the JDK's encapsulation " + i)
                    .isEqualTo(Files.readAllBytes(dir.resolve("kem." + i + ".key")));
        }
        byte[] jdkPublic = (byte[]) PublicKeys.parse(KeyType.ML_DSA_65, Files.readAllBytes(dir.resolve("jdk-mldsa.pub")));
        byte[] jdkSig = Files.readAllBytes(dir.resolve("jdk-mldsa.sig"));
        assertThat(MlDsa65.verify(jdkPublic, "jdk message".getBytes(StandardCharsets.UTF_8), jdkSig))
                .as("pgseal verifies the JDK's ML-DSA-65 signature").isTrue();
        assertThat(MlDsa65.verify(jdkPublic, MESSAGE, jdkSig)).isFalse();
    }

    @Test
    void generatedPostQuantumKeysMatchTheirSeeds() {
        KeyMaterial.Pair dsa = pair(KeyType.ML_DSA_65);
        assertThat(dsa.privateKey()).hasSize(MlDsa65.SEED_BYTES);
        assertThat(MlDsa65.publicKeyOf(dsa.privateKey())).isEqualTo(PublicKeys.parse(KeyType.ML_DSA_65, dsa.spki()));
        KeyMaterial.Pair kem = pair(KeyType.ML_KEM_768);
        assertThat(kem.privateKey()).hasSize(MlKem768.SEED_BYTES);
        MlKem768.Encapsulated e = MlKem768.encapsulate((byte[]) PublicKeys.parse(KeyType.ML_KEM_768, kem.spki()), RANDOM);
        assertThat(MlKem768.decapsulate(kem.privateKey(), e.ciphertext())).isEqualTo(e.sharedSecret());
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"AES_256_GCM"}, mode = EnumSource.Mode.EXCLUDE)
    void publicKeysOfAnotherTypeAreRefusedOnImport(KeyType type) {
        for (KeyType other : KeyType.values()) {
            if (other == KeyType.AES_256_GCM || other == type
                    || (other.name().startsWith("RSA") && type.name().startsWith("RSA"))) {
                continue;
            }
            byte[] spki = type.generate(RANDOM).publicKey();
            assertThatThrownBy(() -> PublicKeys.parse(other, spki)).as(type + " key read as " + other)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
