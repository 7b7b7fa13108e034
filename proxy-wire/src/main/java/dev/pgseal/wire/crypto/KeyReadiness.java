package dev.pgseal.wire.crypto;

/**
 * Whether a key can be used right now without waiting for the HSM or the key store. The key
 * service answers from memory ({@code KeyService::readyToEncrypt} and friends); event-loop code
 * asks before it encrypts or decrypts and, on {@code false}, suspends its session while the key
 * loads elsewhere. Implementations must not block.
 */
public interface KeyReadiness {

    /** Always ready: for resolvers that hold their keys in memory (tests, benchmarks). */
    KeyReadiness IN_MEMORY = new KeyReadiness() {
        @Override
        public boolean readyToEncrypt(String ring) {
            return true;
        }

        @Override
        public boolean readyToMatch(String ring) {
            return true;
        }

        @Override
        public boolean readyToDecrypt(int ringId, int version) {
            return true;
        }
    };

    /** Whether a new value can be encrypted under {@code ring}'s primary version. */
    boolean readyToEncrypt(String ring);

    /** Whether a value can be encrypted under every live version of {@code ring} (equality search). */
    boolean readyToMatch(String ring);

    /** Whether a value written under {@code (ringId, version)} can be decrypted. */
    boolean readyToDecrypt(int ringId, int version);

    /** The answers of the key service (which implements the three methods). */
    static KeyReadiness of(dev.pgseal.keys.KeyService keys) {
        return new KeyReadiness() {
            @Override
            public boolean readyToEncrypt(String ring) {
                return keys.readyToEncrypt(ring);
            }

            @Override
            public boolean readyToMatch(String ring) {
                return keys.readyToMatch(ring);
            }

            @Override
            public boolean readyToDecrypt(int ringId, int version) {
                return keys.readyToDecrypt(ringId, version);
            }
        };
    }
}
