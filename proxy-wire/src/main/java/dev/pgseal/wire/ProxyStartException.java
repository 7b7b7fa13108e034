package dev.pgseal.wire;

/** The proxy could not start: the port is taken, a TLS file is unreadable, … The message says which. */
public final class ProxyStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProxyStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
