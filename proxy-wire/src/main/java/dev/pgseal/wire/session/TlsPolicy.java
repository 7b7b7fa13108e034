package dev.pgseal.wire.session;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.List;

/**
 * The TLS pgseal speaks on both sides (clients and PostgreSQL): TLS 1.2 and 1.3 only, and only
 * forward-secret AEAD suites (ECDHE with AES-GCM or ChaCha20-Poly1305; the TLS 1.3 suites, which
 * are all of that kind). No CBC (padding oracles), no SHA-1 MAC, no static RSA key exchange (a
 * stolen key would decrypt every recorded session).
 */
public final class TlsPolicy {
    /** Protocol versions offered and accepted. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** Cipher suites offered and accepted, in order of preference (JDK names). */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsPolicy() {
    }

    /** Restricts {@code builder} to {@link #PROTOCOLS} and {@link #CIPHER_SUITES} (those the provider has). */
    public static SslContextBuilder apply(SslContextBuilder builder) {
        return builder.protocols(PROTOCOLS).ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE);
    }
}
