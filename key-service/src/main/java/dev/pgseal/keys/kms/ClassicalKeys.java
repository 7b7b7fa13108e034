package dev.pgseal.keys.kms;

import dev.pgseal.keys.DecryptionException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The classical asymmetric algorithms on the JDK's own providers, named explicitly (SunRsaSign,
 * SunEC, SunJCE) so that an added provider never changes which code runs: RSA-OAEP-SHA256,
 * RSASSA-PSS-SHA256, ECDSA P-256 SHA-256 and Ed25519. Private keys are PKCS#8 (DER), public keys
 * X.509 SubjectPublicKeyInfo. Tests check these against Bouncy Castle and the Wycheproof vectors.
 *
 * <p>Two places do not trust the JDK 17 verifier alone, because Wycheproof shows it wrong there:
 * SunEC accepts an Ed25519 signature with a trailing byte (so the length must be exactly 64), and
 * its ECDSA verifier accepts BER signatures (a negative {@code s}) and rejects some valid signatures
 * whose {@code k·G} has an x-coordinate of n or more. ECDSA signatures are therefore read as strict
 * DER here and verified with Bouncy Castle's {@code ECDSASigner}; signing stays on SunEC.
 */
final class ClassicalKeys {

    /** RSASSA-PSS: SHA-256, MGF1 with SHA-256, 32-byte salt, trailer 1 (RFC 8017). */
    static final PSSParameterSpec PSS = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
    /** The largest plaintext RSA-OAEP-SHA256 takes under a 3072-bit key: k - 2·hLen - 2 bytes. */
    static final int OAEP_MAX_PLAINTEXT = 384 - 2 * 32 - 2;
    static final int RSA_BYTES = 384;

    private ClassicalKeys() {
    }

    /** A fresh key pair of a classical type. */
    static KeyPair generate(KeyType type, SecureRandom random) {
        try {
            KeyPairGenerator g;
            switch (type) {
                case RSA_3072_OAEP, RSA_3072_PSS -> {
                    g = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
                    g.initialize(new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4), random);
                }
                case EC_P256 -> {
                    g = KeyPairGenerator.getInstance("EC", "SunEC");
                    g.initialize(new ECGenParameterSpec("secp256r1"), random);
                }
                case ED25519 -> {
                    g = KeyPairGenerator.getInstance("Ed25519", "SunEC");
                    g.initialize(NamedParameterSpec.ED25519, random);
                }
                default -> throw new IllegalArgumentException(type + " is not a classical asymmetric type");
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate a " + type + " key pair", e);
        }
    }

    /**
     * Reads a PKCS#8 private key of a classical type.
     *
     * @throws IllegalArgumentException when it is not one
     */
    static PrivateKey privateKey(KeyType type, byte[] pkcs8) {
        try {
            return switch (type) {
                case RSA_3072_OAEP, RSA_3072_PSS -> KeyFactory.getInstance("RSA", "SunRsaSign")
                        .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                case EC_P256 -> KeyFactory.getInstance("EC", "SunEC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                case ED25519 -> KeyFactory.getInstance("Ed25519", "SunEC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                default -> throw new IllegalArgumentException(type + " is not a classical asymmetric type");
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a " + type + " private key", e);
        }
    }

    static byte[] sign(KeyType type, PrivateKey key, byte[] message, SecureRandom random) {
        try {
            Signature s = signature(type);
            s.initSign(key, random);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(type + " signing failed", e);
        }
    }

    /** Verifies; a malformed signature is an invalid one, never an exception. */
    static boolean verify(KeyType type, PublicKey key, byte[] message, byte[] signature) {
        if (signature == null) {
            return false;
        }
        if (type == KeyType.EC_P256) {
            return verifyEcdsaP256((java.security.interfaces.ECPublicKey) key, message, signature);
        }
        if (type == KeyType.ED25519 && signature.length != 64) {
            return false;
        }
        try {
            Signature s = signature(type);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters P256_DOMAIN = new ECDomainParameters(P256.getCurve(), P256.getG(),
            P256.getN(), P256.getH());

    /** ECDSA P-256 SHA-256 over a strict-DER signature, 0 < r, s < n, on Bouncy Castle's verifier. */
    private static boolean verifyEcdsaP256(java.security.interfaces.ECPublicKey key, byte[] message, byte[] signature) {
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(signature);
            if (!(p instanceof ASN1Sequence seq) || seq.size() != 2) {
                return false;
            }
            ASN1Encodable r = seq.getObjectAt(0);
            ASN1Encodable s = seq.getObjectAt(1);
            if (!(r instanceof ASN1Integer ri) || !(s instanceof ASN1Integer si)
                    || !java.util.Arrays.equals(new DERSequence(new ASN1Encodable[] {ri, si}).getEncoded("DER"), signature)) {
                return false;
            }
            java.math.BigInteger n = P256.getN();
            java.math.BigInteger rv = ri.getValue();
            java.math.BigInteger sv = si.getValue();
            if (rv.signum() <= 0 || sv.signum() <= 0 || rv.compareTo(n) >= 0 || sv.compareTo(n) >= 0) {
                return false;
            }
            ECPoint q = P256.getCurve().validatePoint(key.getW().getAffineX(), key.getW().getAffineY());
            SHA256Digest d = new SHA256Digest();
            d.update(message, 0, message.length);
            byte[] hash = new byte[32];
            d.doFinal(hash, 0);
            ECDSASigner verifier = new ECDSASigner();
            verifier.init(false, new ECPublicKeyParameters(q, P256_DOMAIN));
            return verifier.verifySignature(hash, rv, sv);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static Signature signature(KeyType type) throws GeneralSecurityException {
        return switch (type) {
            case RSA_3072_PSS -> {
                Signature s = Signature.getInstance("RSASSA-PSS", "SunRsaSign");
                s.setParameter(PSS);
                yield s;
            }
            case EC_P256 -> Signature.getInstance("SHA256withECDSA", "SunEC");
            case ED25519 -> Signature.getInstance("Ed25519", "SunEC");
            default -> throw new IllegalArgumentException(type + " does not sign");
        };
    }

    /**
     * RSA-OAEP with SHA-256 and MGF1-SHA-256; {@code label} is OAEP's label (pgseal binds the
     * ciphertext header and the encryption context there).
     */
    static byte[] oaepEncrypt(PublicKey key, byte[] plaintext, byte[] label, SecureRandom random) {
        if (plaintext.length > OAEP_MAX_PLAINTEXT) {
            throw new IllegalArgumentException("RSA-OAEP-SHA256 with a 3072-bit key encrypts at most "
                    + OAEP_MAX_PLAINTEXT + " bytes, not " + plaintext.length);
        }
        try {
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding", "SunJCE");
            c.init(Cipher.ENCRYPT_MODE, key, oaep(label), random);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-OAEP encryption failed", e);
        }
    }

    /**
     * RSA-OAEP decryption.
     *
     * @throws DecryptionException with the one generic message for any failure
     */
    static byte[] oaepDecrypt(PrivateKey key, byte[] ciphertext, byte[] label) {
        if (ciphertext == null || ciphertext.length != RSA_BYTES) {
            throw new DecryptionException();
        }
        try {
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding", "SunJCE");
            c.init(Cipher.DECRYPT_MODE, key, oaep(label));
            return c.doFinal(ciphertext);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new DecryptionException();
        }
    }

    private static OAEPParameterSpec oaep(byte[] label) {
        return new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, new PSource.PSpecified(label));
    }
}
