package dev.pgseal.bench.load;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a large result set the way a slow client does: sends one simple query, then stops reading
 * for {@code --pause-ms} so every socket buffer between it and PostgreSQL fills up, then reads the
 * whole result and counts the rows. A proxy that keeps reading from PostgreSQL while its client is
 * not writable buffers the result in memory during the pause (and fails under a small heap); one
 * with backpressure does not.
 *
 * <p>Self-contained (raw sockets, trust authentication only) so it runs from source:
 * {@code java benchmarks/src/main/java/dev/pgseal/bench/load/SlowResultReader.java --port 6543}.
 * Prints {@code rows=N}, {@code bytes=N} and {@code read_ms=N} on stdout; exit 1 on an error.
 */
public final class SlowResultReader {

    private static final int PROTOCOL_3_0 = 196608;

    private SlowResultReader() {
    }

    /** Counts of what a query returned. */
    record Outcome(long rows, long bytes) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got: " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        if (!options.containsKey("port")) {
            System.err.println("usage: SlowResultReader [--host 127.0.0.1] --port N [--user postgres]"
                    + " [--database postgres] [--pause-ms 10000] [--sql 'select …']");
            System.exit(2);
        }
        String sql = options.getOrDefault("sql",
                "select g, repeat('x', 100) from generate_series(1, 1000000) g");
        long pauseMillis = Long.parseLong(options.getOrDefault("pause-ms", "10000"));

        try (Socket socket = new Socket()) {
            // A small receive buffer keeps the client side from absorbing the result during the pause.
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress(options.getOrDefault("host", "127.0.0.1"),
                    Integer.parseInt(options.get("port"))), 10_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());

            byte[] startup = ("user\0" + options.getOrDefault("user", "postgres") + "\0database\0"
                    + options.getOrDefault("database", "postgres") + "\0\0").getBytes(StandardCharsets.UTF_8);
            out.writeInt(8 + startup.length);
            out.writeInt(PROTOCOL_3_0);
            out.write(startup);
            out.flush();
            read(in);

            byte[] text = sql.getBytes(StandardCharsets.UTF_8);
            out.writeByte('Q');
            out.writeInt(4 + text.length + 1);
            out.write(text);
            out.writeByte(0);
            out.flush();
            System.err.printf("query sent; not reading for %d ms%n", pauseMillis);
            Thread.sleep(pauseMillis);

            long started = System.nanoTime();
            Outcome outcome = read(in);
            System.out.println("rows=" + outcome.rows());
            System.out.println("bytes=" + outcome.bytes());
            System.out.println("read_ms=" + (System.nanoTime() - started) / 1_000_000);

            out.writeByte('X');
            out.writeInt(4);
            out.flush();
        }
    }

    /** Reads messages up to ReadyForQuery; fails on ErrorResponse or a non-trust authentication request. */
    private static Outcome read(DataInputStream in) throws IOException {
        long rows = 0;
        long bytes = 0;
        byte[] buffer = new byte[8192];
        while (true) {
            int type = in.readUnsignedByte();
            int length = in.readInt();
            if (length < 4) {
                throw new IOException("length: " + length + " (expected: >= 4)");
            }
            bytes += 1 + length;
            int remaining = length - 4;
            byte[] body = remaining <= buffer.length ? buffer : new byte[remaining];
            in.readFully(body, 0, remaining);
            switch (type) {
                case 'D' -> rows++;
                case 'R' -> {
                    if (body[3] != 0 || body[2] != 0 || body[1] != 0 || body[0] != 0) {
                        throw new IOException("server asks for a password; only trust authentication is supported");
                    }
                }
                case 'E' -> throw new IOException("server error: "
                        + new String(body, 0, remaining, StandardCharsets.UTF_8).replace('\0', ' ').trim());
                case 'Z' -> {
                    return new Outcome(rows, bytes);
                }
                default -> {
                    // RowDescription, CommandComplete, ParameterStatus, BackendKeyData, notices
                }
            }
        }
    }
}
