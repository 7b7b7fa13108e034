package dev.pgseal.keys.crypto;

import java.security.SecureRandom;

/** The process-wide nonce source: the platform default (NativePRNG over /dev/urandom on Linux). */
final class SharedRandom {
    static final SecureRandom INSTANCE = new SecureRandom();

    private SharedRandom() {
    }
}
