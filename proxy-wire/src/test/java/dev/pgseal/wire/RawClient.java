package dev.pgseal.wire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A byte-level PostgreSQL client for tests that must send what real clients never send. */
final class RawClient implements AutoCloseable {
    /** A backend message: type and body. */
    record Message(char type, byte[] body) {
        /** The SQLSTATE of an ErrorResponse. */
        String field(char code) {
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char c = (char) body[i];
                int end = i + 1;
                while (body[end] != 0) {
                    end++;
                }
                if (c == code) {
                    return new String(body, i + 1, end - i - 1, StandardCharsets.UTF_8);
                }
                i = end + 1;
            }
            return null;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000); // a safety net against a hung test, not an assertion
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a StartupMessage for {@code user} and {@code database}. */
    void startup(String user, String database) throws IOException {
        byte[] params = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + params.length);
        b.putInt(8 + params.length).putInt(196608).put(params);
        send(b.array());
    }

    /** Reads one byte (an answer to SSLRequest or GSSENCRequest). */
    char readByte() throws IOException {
        return (char) in.readByte();
    }

    /** Reads one message, or null at end of stream. */
    Message read() throws IOException {
        int type;
        try {
            type = in.read();
        } catch (java.net.SocketException e) {
            return null; // reset by peer after close
        }
        if (type < 0) {
            return null;
        }
        int length = in.readInt();
        if (length < 4) {
            throw new IOException("bad length from proxy: " + length);
        }
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message((char) type, body);
    }

    /** Reads messages until ReadyForQuery (included) or end of stream. */
    List<Message> readUntilReady() throws IOException {
        List<Message> messages = new ArrayList<>();
        Message m;
        while ((m = read()) != null) {
            messages.add(m);
            if (m.type() == 'Z') {
                break;
            }
        }
        return messages;
    }

    /** Reads everything until the proxy closes the connection. */
    List<Message> readToEnd() throws IOException {
        List<Message> messages = new ArrayList<>();
        try {
            Message m;
            while ((m = read()) != null) {
                messages.add(m);
            }
        } catch (EOFException e) {
            throw new IOException("proxy sent a truncated message after " + messages.size() + " messages", e);
        }
        return messages;
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
