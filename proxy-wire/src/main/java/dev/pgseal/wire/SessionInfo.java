package dev.pgseal.wire;

import java.net.SocketAddress;
import java.util.Map;

/** What pgseal knows about a client session, for policy decisions. Read on the session's event loop. */
public interface SessionInfo {
    /** The role name from the StartupMessage. */
    String user();

    /** The database (defaults to the user name, as in PostgreSQL). */
    String database();

    /** {@code application_name} from the StartupMessage, "" if none. */
    String applicationName();

    /** Every StartupMessage parameter, in the order sent. */
    Map<String, String> startupParameters();

    /**
     * The latest value PostgreSQL reported for a run-time parameter (ParameterStatus: TimeZone,
     * client_encoding, DateStyle, server_version, …), or {@code null}.
     */
    String serverParameter(String name);

    /** The client's address. */
    SocketAddress clientAddress();

    /** Whether the client connection uses TLS (terminated by pgseal). */
    boolean clientTls();

    /**
     * Whether every message the client sent before the one being intercepted has been answered up to
     * its ReadyForQuery: then the run-time settings PostgreSQL reported ({@link #serverParameter}) are
     * exactly those the intercepted statement will be read with. Outside an interceptor call: whether
     * everything sent so far has been answered that way.
     */
    boolean settled();
}
