package dev.pgseal.keys;

/**
 * The bytes are not a pgseal envelope this version can read (too short, unknown format version,
 * unknown mode). Raised from the public header alone, before any cryptography, so the message may
 * be specific: it names the problem, never key material or plaintext.
 */
public final class MalformedEnvelopeException extends DecryptionException {
    public MalformedEnvelopeException(String message) {
        super(message);
    }
}
