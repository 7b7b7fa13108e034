package dev.pgseal.wire.cli;

import java.net.URI;
import java.net.URISyntaxException;

/** Connection URL forms the CLI accepts. */
final class Urls {

    private Urls() {
    }

    /**
     * A JDBC URL for {@code url}, which may already be one or be a libpq URL
     * ({@code postgresql://user:password@host:port/db}).
     */
    static String toJdbc(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return url;
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new IllegalArgumentException("not a PostgreSQL URL: " + redact(url));
        }
        try {
            URI u = new URI(url.replaceFirst("^postgres(ql)?://", "http://"));
            StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(u.getHost() == null ? "127.0.0.1" : u.getHost());
            if (u.getPort() > 0) {
                jdbc.append(':').append(u.getPort());
            }
            jdbc.append(u.getPath() == null || u.getPath().isEmpty() ? "/postgres" : u.getPath());
            String sep = "?";
            if (u.getRawQuery() != null) {
                jdbc.append('?').append(u.getRawQuery());
                sep = "&";
            }
            if (u.getUserInfo() != null) {
                String[] parts = u.getUserInfo().split(":", 2);
                jdbc.append(sep).append("user=").append(parts[0]);
                if (parts.length == 2) {
                    jdbc.append("&password=").append(parts[1]);
                }
            }
            return jdbc.toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + redact(url), e);
        }
    }

    /** The URL with any password replaced by {@code ***}, for messages. */
    static String redact(String url) {
        return url.replaceAll("(password=)[^&]*", "$1***").replaceAll("(://[^:/@]+:)[^@]*@", "$1***@");
    }
}
