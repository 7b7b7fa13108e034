package dev.pgseal.bench.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures how much resident memory a PostgreSQL server or proxy (pgseal) needs per idle client
 * session: opens {@code --count} sessions (PostgreSQL v3 startup handshake up to ReadyForQuery, trust
 * authentication only), reads {@code VmRSS} of {@code --pid} from {@code /proc} before and after
 * (and, when {@code --pid} is a JVM, its live heap after a full GC, through {@code jcmd}), checks
 * that every session still answers a query, and closes them.
 *
 * <p>Self-contained on purpose (raw sockets, no driver), so it runs from source without a build:
 * {@code java benchmarks/src/main/java/dev/pgseal/bench/load/IdleConnections.java --port 6543 --pid 1234}.
 * Prints {@code key=value} lines on stdout; progress goes to stderr. Exit 1 when a session fails.
 */
public final class IdleConnections {

    private static final int PROTOCOL_3_0 = 196608;

    private IdleConnections() {
    }

    /** Command-line settings. */
    record Settings(String host, int port, String user, String database, int count, int warmup,
            Optional<Long> pid, long settleMillis) {

        static Settings parse(String[] args) {
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                String key = args[i];
                if (key.equals("-h") || key.equals("--help")) {
                    System.out.println("usage: IdleConnections [--host 127.0.0.1] --port N [--user postgres]"
                            + " [--database postgres] [--count 1000] [--warmup 20] [--pid PID] [--settle-ms 3000]");
                    System.exit(0);
                }
                if (!key.startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --option value, got: " + key);
                }
                values.put(key.substring(2), args[++i]);
            }
            if (!values.containsKey("port")) {
                throw new IllegalArgumentException("--port is required");
            }
            return new Settings(
                    values.getOrDefault("host", "127.0.0.1"),
                    Integer.parseInt(values.get("port")),
                    values.getOrDefault("user", "postgres"),
                    values.getOrDefault("database", "postgres"),
                    Integer.parseInt(values.getOrDefault("count", "1000")),
                    Integer.parseInt(values.getOrDefault("warmup", "20")),
                    Optional.ofNullable(values.get("pid")).map(Long::parseLong),
                    Long.parseLong(values.getOrDefault("settle-ms", "3000")));
        }
    }

    /** One open session: the socket and its buffered streams. */
    static final class Session implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;

        private Session(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 512));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 512));
        }

        static Session open(Settings settings) throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(settings.host(), settings.port()), 10_000);
            socket.setSoTimeout(30_000);
            Session session = new Session(socket);
            try {
                session.startup(settings.user(), settings.database());
            } catch (IOException | RuntimeException e) {
                session.close();
                throw e;
            }
            return session;
        }

        private void startup(String user, String database) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (String s : List.of("user", user, "database", database, "application_name", "pgseal-idle-bench")) {
                body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
                body.write(0);
            }
            body.write(0);
            out.writeInt(8 + body.size());
            out.writeInt(PROTOCOL_3_0);
            body.writeTo(out);
            out.flush();
            readUntilReady();
        }

        /** Sends a simple query and reads its responses up to ReadyForQuery. */
        void query(String sql) throws IOException {
            byte[] text = sql.getBytes(StandardCharsets.UTF_8);
            out.writeByte('Q');
            out.writeInt(4 + text.length + 1);
            out.write(text);
            out.writeByte(0);
            out.flush();
            readUntilReady();
        }

        private void readUntilReady() throws IOException {
            while (true) {
                int type = in.readUnsignedByte();
                int length = in.readInt();
                if (length < 4 || length > 1 << 20) {
                    throw new IOException("length: " + length + " (expected: 4..1048576)");
                }
                byte[] body = new byte[length - 4];
                in.readFully(body);
                switch (type) {
                    case 'R' -> {
                        int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
                        if (code != 0) {
                            throw new IOException("server asks for authentication method " + code + "; only trust is supported");
                        }
                    }
                    case 'E' -> throw new IOException("server error: " + errorText(body));
                    case 'Z' -> {
                        return;
                    }
                    default -> {
                        // ParameterStatus, BackendKeyData, NoticeResponse, RowDescription, DataRow, CommandComplete
                    }
                }
            }
        }

        private static String errorText(byte[] body) {
            StringBuilder text = new StringBuilder();
            int start = 0;
            for (int i = 0; i < body.length; i++) {
                if (body[i] == 0) {
                    if (i > start) {
                        char field = (char) body[start];
                        if (field == 'C' || field == 'M') {
                            text.append(field == 'C' ? "SQLSTATE " : " ").append(new String(body, start + 1, i - start - 1, StandardCharsets.UTF_8));
                        }
                    }
                    start = i + 1;
                }
            }
            return text.toString();
        }

        @Override
        public void close() {
            try {
                out.writeByte('X');
                out.writeInt(4);
                out.flush();
            } catch (IOException ignored) {
                // the server may already be gone; closing the socket is what matters
            }
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The heap in use after a full GC, in kB, from {@code jcmd PID GC.run} and {@code GC.heap_info}
     * ("… total 262144K, used 20480K …"); empty when the process is not a JVM or jcmd fails.
     */
    private static Optional<Long> liveHeapKb(long pid) throws InterruptedException {
        try {
            // jcmd attaches with SIGQUIT, which would kill a process that is not a JVM.
            if (!Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString().endsWith("/java")) {
                return Optional.empty();
            }
            if (run("jcmd", Long.toString(pid), "GC.run").isEmpty()) {
                return Optional.empty();
            }
            Optional<String> info = run("jcmd", Long.toString(pid), "GC.heap_info");
            Matcher used = Pattern.compile("total \\d+K, used (\\d+)K")
                    .matcher(info.orElse(""));
            return used.find() ? Optional.of(Long.parseLong(used.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.waitFor() == 0 ? Optional.of(output) : Optional.empty();
    }

    private static long residentKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid + "/status");
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);

        for (int i = 0; i < settings.warmup(); i++) {
            try (Session session = Session.open(settings)) {
                session.query("select 1");
            }
        }
        Thread.sleep(settings.settleMillis());
        if (settings.pid().isPresent()) {
            System.out.println("rss_before_kb=" + residentKb(settings.pid().get(), "VmRSS"));
            liveHeapKb(settings.pid().get()).ifPresent(kb -> System.out.println("heap_before_kb=" + kb));
        }

        List<Session> sessions = new ArrayList<>(settings.count());
        long started = System.nanoTime();
        try {
            for (int i = 0; i < settings.count(); i++) {
                sessions.add(Session.open(settings));
                if ((i + 1) % 100 == 0) {
                    System.err.printf("opened %d sessions%n", i + 1);
                }
            }
            long openMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("sessions=" + sessions.size());
            System.out.println("open_ms=" + openMillis);
            Thread.sleep(settings.settleMillis());
            if (settings.pid().isPresent()) {
                System.out.println("rss_after_kb=" + residentKb(settings.pid().get(), "VmRSS"));
                System.out.println("rss_peak_kb=" + residentKb(settings.pid().get(), "VmHWM"));
                liveHeapKb(settings.pid().get()).ifPresent(kb -> System.out.println("heap_after_kb=" + kb));
            }
            // Every session must still be a working session, not a socket the proxy forgot.
            for (Session session : sessions) {
                session.query("select 1");
            }
            System.out.println("all_sessions_answered=true");
        } finally {
            for (Session session : sessions) {
                session.close();
            }
        }
    }
}
