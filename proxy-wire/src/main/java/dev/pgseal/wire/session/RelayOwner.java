package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.protocol.backend.ParameterStatus;

/**
 * What the READY-phase relays ({@link ClientRelay}, {@link BackendRelay}) need from the session that
 * owns them: ending it in the right way, byte counts and flushes, and the state it keeps.
 */
interface RelayOwner {
    /** The client broke the protocol: FATAL 08P01 and close. */
    void violation(String message);

    /** pgseal lost track of the protocol state: FATAL and close. */
    void internalError(ProtocolMismatchException e);

    /** A statement interceptor threw or its suspended step failed: FATAL XX000 and close. */
    void hookFailed(RuntimeException e);

    /** An interceptor refused the session (for example a client_encoding pgseal cannot read). */
    void refuseSession(SessionRefusal refusal);

    /** The client sent Terminate (already relayed). */
    void clientTerminated();

    /** Frames of {@code bytes} were written (not flushed) to PostgreSQL. */
    void sentToBackend(long bytes);

    /** Frames of {@code bytes} were written (not flushed) to the client. */
    void sentToClient(long bytes);

    /** The client relay suspended or resumed reading: recompute the client channel's autoRead. */
    void clientInputChanged();

    /** The backend relay paused or resumed reading PostgreSQL: recompute the backend channel's autoRead. */
    void backendInputChanged();

    /** PostgreSQL reported a run-time parameter. */
    void parameterStatus(ParameterStatus status);

    /** PostgreSQL sent an ErrorResponse. */
    void backendError(ErrorResponse error);
}
