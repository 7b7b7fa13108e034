package dev.pgseal.keys.kms;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Public keys as X.509 SubjectPublicKeyInfo (DER), the one encoding pgseal stores and serves for
 * every asymmetric type, read strictly: the algorithm must be the ring type's (P-256 only, RSA with
 * a 3072-bit modulus, Ed25519, ML-DSA-65 and ML-KEM-768 by their NIST OIDs), the DER must re-encode
 * to the same bytes, and ML-KEM keys pass FIPS 203's input check. Classical keys come from the JDK's
 * providers (SunEC, SunRsaSign); ML-DSA and ML-KEM keys are the raw encodings inside the SPKI.
 */
final class PublicKeys {

    /** The order n of P-256 (FIPS 186-5 / SEC 2 secp256r1). */
    private static final BigInteger P256_ORDER =
            new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
    private static final BigInteger P256_PRIME =
            new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);

    private PublicKeys() {
    }

    /**
     * Reads {@code spki} as a public key of {@code type}: a JCA {@link PublicKey} for classical types,
     * the raw key bytes for ML-DSA-65 and ML-KEM-768.
     *
     * @throws IllegalArgumentException when it is not a well-formed key of that type
     */
    static Object parse(KeyType type, byte[] spki) {
        if (spki == null || spki.length == 0) {
            throw new IllegalArgumentException("no public key");
        }
        try {
            return switch (type) {
                case EC_P256 -> checkedP256(jca("EC", "SunEC", spki));
                case ED25519 -> checkedEd25519(jca("Ed25519", "SunEC", spki));
                case RSA_3072_OAEP, RSA_3072_PSS -> checkedRsa3072(jca("RSA", "SunRsaSign", spki));
                case ML_DSA_65 -> raw(spki, NISTObjectIdentifiers.id_ml_dsa_65, MlDsa65.PUBLIC_KEY_BYTES);
                case ML_KEM_768 -> {
                    byte[] ek = raw(spki, NISTObjectIdentifiers.id_alg_ml_kem_768, MlKem768.PUBLIC_KEY_BYTES);
                    MlKem768.checkEncapsulationKey(ek);
                    yield ek;
                }
                case AES_256_GCM -> throw new IllegalArgumentException("aes-256-gcm rings have no public key");
            };
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not a " + type.displayName() + " public key", e);
        }
    }

    /** The SubjectPublicKeyInfo of a raw ML-DSA-65 or ML-KEM-768 public key. */
    static byte[] spkiOfRaw(KeyType type, byte[] raw) {
        ASN1ObjectIdentifier oid = switch (type) {
            case ML_DSA_65 -> NISTObjectIdentifiers.id_ml_dsa_65;
            case ML_KEM_768 -> NISTObjectIdentifiers.id_alg_ml_kem_768;
            default -> throw new IllegalArgumentException(type + " keys are not raw");
        };
        try {
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(oid), raw).getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a SubjectPublicKeyInfo", e);
        }
    }

    /** The DER as PEM ({@code -----BEGIN PUBLIC KEY-----}, 64-character lines). */
    static String pem(byte[] spki) {
        String b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(spki);
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }

    private static PublicKey jca(String algorithm, String provider, byte[] spki) throws GeneralSecurityException {
        PublicKey k = KeyFactory.getInstance(algorithm, provider).generatePublic(new X509EncodedKeySpec(spki));
        if (!Arrays.equals(k.getEncoded(), spki)) {
            throw new GeneralSecurityException("the public key is not in canonical DER");
        }
        return k;
    }

    private static PublicKey checkedP256(PublicKey k) throws GeneralSecurityException {
        ECPublicKey ec = (ECPublicKey) k;
        if (!ec.getParams().getOrder().equals(P256_ORDER) || ec.getParams().getCofactor() != 1
                || !(ec.getParams().getCurve().getField() instanceof java.security.spec.ECFieldFp f)
                || !f.getP().equals(P256_PRIME)) {
            throw new GeneralSecurityException("not a P-256 key");
        }
        return k;
    }

    private static PublicKey checkedEd25519(PublicKey k) throws GeneralSecurityException {
        EdECPublicKey ed = (EdECPublicKey) k;
        if (!NamedParameterSpec.ED25519.getName().equalsIgnoreCase(ed.getParams().getName())) {
            throw new GeneralSecurityException("not an Ed25519 key");
        }
        return k;
    }

    private static PublicKey checkedRsa3072(PublicKey k) throws GeneralSecurityException {
        RSAPublicKey rsa = (RSAPublicKey) k;
        BigInteger e = rsa.getPublicExponent();
        if (rsa.getModulus().bitLength() != 3072 || !e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0) {
            throw new GeneralSecurityException("not an RSA 3072 key with an odd exponent >= 3");
        }
        return k;
    }

    private static byte[] raw(byte[] spki, ASN1ObjectIdentifier oid, int length) throws GeneralSecurityException {
        SubjectPublicKeyInfo info;
        try {
            info = SubjectPublicKeyInfo.getInstance(spki);
            if (!Arrays.equals(info.getEncoded("DER"), spki)) {
                throw new GeneralSecurityException("the public key is not in canonical DER");
            }
        } catch (IOException | RuntimeException e) {
            throw new GeneralSecurityException("not a SubjectPublicKeyInfo", e);
        }
        AlgorithmIdentifier alg = info.getAlgorithm();
        if (!alg.getAlgorithm().equals(oid) || alg.getParameters() != null) {
            throw new GeneralSecurityException("algorithm " + alg.getAlgorithm() + " (expected: " + oid + ", no parameters)");
        }
        if (info.getPublicKeyData().getPadBits() != 0) {
            throw new GeneralSecurityException("the key's bit string has pad bits");
        }
        byte[] raw = info.getPublicKeyData().getOctets();
        if (raw.length != length) {
            throw new GeneralSecurityException("key length " + raw.length + " (expected: " + length + ")");
        }
        return raw;
    }
}
