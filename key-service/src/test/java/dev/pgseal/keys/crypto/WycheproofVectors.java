package dev.pgseal.keys.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads Wycheproof AEAD vector files ({@code aead_test_schema_v1}) from the test resources. */
final class WycheproofVectors {

    /** One AEAD test case. */
    record AeadCase(int tcId, int keySize, int ivSize, int tagSize, byte[] key, byte[] iv, byte[] aad,
                    byte[] msg, byte[] ct, byte[] tag, String result, String comment) {
        @Override
        public String toString() {
            return "tcId " + tcId + " (" + result + ", " + comment + ")";
        }
    }

    private WycheproofVectors() {
    }

    static List<AeadCase> load(String resource) {
        HexFormat hex = HexFormat.of();
        try (InputStream in = WycheproofVectors.class.getResourceAsStream("/wycheproof/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            JsonNode root = new ObjectMapper().readTree(in);
            List<AeadCase> cases = new ArrayList<>();
            for (JsonNode group : root.get("testGroups")) {
                for (JsonNode t : group.get("tests")) {
                    cases.add(new AeadCase(t.get("tcId").asInt(), group.get("keySize").asInt(),
                            group.get("ivSize").asInt(), group.get("tagSize").asInt(),
                            hex.parseHex(t.get("key").asText()), hex.parseHex(t.get("iv").asText()),
                            hex.parseHex(t.get("aad").asText()), hex.parseHex(t.get("msg").asText()),
                            hex.parseHex(t.get("ct").asText()), hex.parseHex(t.get("tag").asText()),
                            t.get("result").asText(), t.get("comment").asText()));
                }
            }
            if (cases.size() != root.get("numberOfTests").asInt()) {
                throw new IllegalStateException("read " + cases.size() + " cases, file says " + root.get("numberOfTests"));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
