import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import javax.crypto.KEM;

/**
 * Run by pgseal's tests with a JDK of version 24 or later (its own ML-DSA and ML-KEM, JEP 496/497:
 * an implementation independent of Bouncy Castle, which pgseal uses). Argument: a folder holding
 *   mldsa.pub (SPKI DER) and sig.N / msg.N pairs: prints "verify N true|false" for each;
 *   mlkem.pub (SPKI DER): encapsulates 3 times, writes kem.N.ct and kem.N.key;
 * and always signs "jdk message" with a fresh ML-DSA-65 key, writing jdk-mldsa.pub, jdk-mldsa.sig.
 */
public class Jdk25PostQuantumCheck {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path mldsa = dir.resolve("mldsa.pub");
        if (Files.exists(mldsa)) {
            PublicKey pub = KeyFactory.getInstance("ML-DSA").generatePublic(new X509EncodedKeySpec(Files.readAllBytes(mldsa)));
            for (int i = 0; Files.exists(dir.resolve("sig." + i)); i++) {
                Signature s = Signature.getInstance("ML-DSA");
                s.initVerify(pub);
                s.update(Files.readAllBytes(dir.resolve("msg." + i)));
                boolean ok;
                try {
                    ok = s.verify(Files.readAllBytes(dir.resolve("sig." + i)));
                } catch (java.security.SignatureException e) {
                    ok = false;
                }
                System.out.println("verify " + i + " " + ok);
            }
        }
        Path mlkem = dir.resolve("mlkem.pub");
        if (Files.exists(mlkem)) {
            PublicKey pub = KeyFactory.getInstance("ML-KEM").generatePublic(new X509EncodedKeySpec(Files.readAllBytes(mlkem)));
            for (int i = 0; i < 3; i++) {
                KEM.Encapsulated e = KEM.getInstance("ML-KEM").newEncapsulator(pub).encapsulate();
                Files.write(dir.resolve("kem." + i + ".ct"), e.encapsulation());
                Files.write(dir.resolve("kem." + i + ".key"), e.key().getEncoded());
            }
            System.out.println("encapsulated 3");
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("ML-DSA-65");
        KeyPair kp = g.generateKeyPair();
        Signature s = Signature.getInstance("ML-DSA");
        s.initSign(kp.getPrivate());
        s.update("jdk message".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(dir.resolve("jdk-mldsa.sig"), s.sign());
        Files.write(dir.resolve("jdk-mldsa.pub"), kp.getPublic().getEncoded());
        System.out.println("signed " + HexFormat.of().formatHex(kp.getPublic().getEncoded(), 0, 8));
    }
}
