package dev.pgseal.keys.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.DecryptionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Wycheproof vectors (C2SP/wycheproof, Apache 2.0, copied into the test resources) against the
 * code paths the data plane runs: its public-key import ({@link PublicKeys#parse}) and its verify,
 * RSA-OAEP decrypt, ML-KEM encapsulate and decapsulate functions. A vector marked valid must pass,
 * one marked invalid must be refused — by the import (a malformed key) or by the operation.
 */
class KmsWycheproofTest {

    private static final HexFormat HEX = HexFormat.of();

    /** One test case with the group it belongs to. */
    record Case(String file, JsonNode group, JsonNode test) {
        boolean valid() {
            return test.get("result").asText().equals("valid");
        }

        byte[] hex(String field) {
            return HEX.parseHex(test.path(field).asText(""));
        }

        byte[] groupHex(String field) {
            return HEX.parseHex(group.path(field).asText(""));
        }

        @Override
        public String toString() {
            return file.replace("_test.json", "") + " tcId " + test.get("tcId").asText() + " ("
                    + test.get("result").asText() + " " + test.path("flags") + " " + test.path("comment").asText("") + ")";
        }
    }

    static List<Case> load(String file, String expectedAlgorithm) {
        try (InputStream in = KmsWycheproofTest.class.getResourceAsStream("/wycheproof/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + file);
            }
            JsonNode root = new ObjectMapper().readTree(in);
            assertThat(root.get("algorithm").asText()).isEqualTo(expectedAlgorithm);
            List<Case> cases = new ArrayList<>();
            for (JsonNode g : root.get("testGroups")) {
                for (JsonNode t : g.get("tests")) {
                    cases.add(new Case(file, g, t));
                }
            }
            assertThat(cases).hasSize(root.get("numberOfTests").asInt());
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- signatures

    static Stream<Case> ed25519() {
        return load("ed25519_test.json", "EDDSA").stream();
    }

    static Stream<Case> ecdsaP256() {
        return load("ecdsa_secp256r1_sha256_test.json", "ECDSA").stream();
    }

    static Stream<Case> rsaPss3072() {
        return load("rsa_pss_3072_sha256_mgf1_32_test.json", "RSASSA-PSS").stream();
    }

    static Stream<Case> mlDsa65() {
        return load("mldsa_65_verify_test.json", "ML-DSA-65").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ed25519")
    void ed25519VerifyMatchesWycheproof(Case c) {
        assertThat(classicalVerify(KeyType.ED25519, c)).isEqualTo(c.valid());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ecdsaP256")
    void ecdsaP256VerifyMatchesWycheproof(Case c) {
        assertThat(classicalVerify(KeyType.EC_P256, c)).isEqualTo(c.valid());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rsaPss3072")
    void rsaPss3072VerifyMatchesWycheproof(Case c) {
        assertThat(c.group().get("sha").asText()).isEqualTo("SHA-256");
        assertThat(c.group().get("sLen").asInt()).isEqualTo(32);
        assertThat(classicalVerify(KeyType.RSA_3072_PSS, c)).isEqualTo(c.valid());
    }

    private static boolean classicalVerify(KeyType type, Case c) {
        PublicKey key = (PublicKey) PublicKeys.parse(type, c.groupHex("publicKeyDer"));
        return ClassicalKeys.verify(type, key, c.hex("msg"), c.hex("sig"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mlDsa65")
    void mlDsa65VerifyMatchesWycheproof(Case c) {
        byte[] raw;
        try {
            raw = (byte[]) PublicKeys.parse(KeyType.ML_DSA_65, c.groupHex("publicKeyDer"));
        } catch (IllegalArgumentException malformedKey) {
            assertThat(c.valid()).as("the key import refused a key of a valid case: " + malformedKey.getMessage()).isFalse();
            return;
        }
        assertThat(raw).isEqualTo(c.groupHex("publicKey"));
        boolean ok = c.test().has("ctx") ? MlDsa65.verify(raw, c.hex("msg"), c.hex("sig"), c.hex("ctx"))
                : MlDsa65.verify(raw, c.hex("msg"), c.hex("sig"));
        assertThat(ok).isEqualTo(c.valid());
    }

    // ---------------------------------------------------------------- RSA-OAEP

    static Stream<Case> rsaOaep3072() {
        return load("rsa_oaep_3072_sha256_mgf1sha256_test.json", "RSAES-OAEP").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rsaOaep3072")
    void rsaOaep3072DecryptMatchesWycheproof(Case c) {
        assertThat(c.group().get("mgfSha").asText()).isEqualTo("SHA-256");
        PrivateKey key = ClassicalKeys.privateKey(KeyType.RSA_3072_OAEP, c.groupHex("privateKeyPkcs8"));
        if (c.valid()) {
            assertThat(ClassicalKeys.oaepDecrypt(key, c.hex("ct"), c.hex("label"))).isEqualTo(c.hex("msg"));
        } else {
            assertThatThrownBy(() -> ClassicalKeys.oaepDecrypt(key, c.hex("ct"), c.hex("label")))
                    .isExactlyInstanceOf(DecryptionException.class).hasMessage(DecryptionException.GENERIC_MESSAGE);
        }
    }

    // ---------------------------------------------------------------- ML-KEM-768

    static Stream<Case> mlKem768Decapsulation() {
        return load("mlkem_768_test.json", "ML-KEM").stream();
    }

    static Stream<Case> mlKem768Encapsulation() {
        return load("mlkem_768_encaps_test.json", "ML-KEM").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mlKem768Decapsulation")
    void mlKem768KeyGenerationAndDecapsulationMatchWycheproof(Case c) {
        byte[] seed = c.hex("seed");
        if (c.valid()) {
            assertThat(MlKem768.publicKeyOf(seed)).isEqualTo(c.hex("ek"));
            assertThat(MlKem768.decapsulate(seed, c.hex("c"))).isEqualTo(c.hex("K"));
        } else {
            assertThatThrownBy(() -> MlKem768.decapsulate(seed, c.hex("c"))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mlKem768Encapsulation")
    void mlKem768EncapsulationMatchesWycheproof(Case c) {
        byte[] ek = c.hex("ek");
        if (c.valid()) {
            MlKem768.Encapsulated e = MlKem768.encapsulate(ek, new FixedRandom(c.hex("m")));
            assertThat(e.ciphertext()).isEqualTo(c.hex("c"));
            assertThat(e.sharedSecret()).isEqualTo(c.hex("K"));
        } else {
            assertThatThrownBy(() -> MlKem768.encapsulate(ek, new FixedRandom(c.hex("m"))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theVectorFilesHoldTheCasesTheyAnnounce() {
        assertThat(ed25519()).hasSize(151);
        assertThat(ecdsaP256()).hasSize(484);
        assertThat(rsaPss3072()).hasSize(108);
        assertThat(rsaOaep3072()).hasSize(37);
        assertThat(mlDsa65()).hasSize(210);
        assertThat(mlKem768Decapsulation()).hasSize(193);
        assertThat(mlKem768Encapsulation()).hasSize(265);
    }

    /** A "random" source that returns the vector's message m, so encapsulation is deterministic. */
    static final class FixedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;
        private int offset;

        FixedRandom(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            if (offset + out.length > bytes.length) {
                throw new IllegalStateException("asked for more randomness than the vector holds");
            }
            System.arraycopy(bytes, offset, out, 0, out.length);
            offset += out.length;
        }
    }
}
