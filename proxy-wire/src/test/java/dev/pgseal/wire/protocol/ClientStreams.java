package dev.pgseal.wire.protocol;

import static dev.pgseal.wire.protocol.Frames.body;
import static dev.pgseal.wire.protocol.Frames.concat;

import dev.pgseal.wire.protocol.startup.StartupPacket;
import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;

/** Seeded generator of client byte streams: valid ones, and mutations of them (fuzzing). */
public final class ClientStreams {
    private ClientStreams() {
    }

    /** A startup (sometimes after an SSLRequest) and 1 to 8 random valid messages. */
    public static byte[] validStream(SplittableRandom r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (r.nextInt(4) == 0) {
            out.writeBytes(body().int32(8).int32(StartupPacket.SSL_REQUEST_CODE).build());
        }
        byte[] params = body().cstring("user").cstring("u" + r.nextInt(100)).cstring("database").cstring("d").byte8(0).build();
        out.writeBytes(body().int32(8 + params.length).int32(StartupPacket.PROTOCOL_3_0).bytes(params).build());
        out.writeBytes(messages(r));
        return out.toByteArray();
    }

    /** 1 to 8 random valid messages. */
    public static byte[] messages(SplittableRandom r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            out.writeBytes(randomMessage(r));
        }
        return out.toByteArray();
    }

    /** A random valid message (content may still be semantically wrong for PostgreSQL). */
    public static byte[] randomMessage(SplittableRandom r) {
        return switch (r.nextInt(14)) {
            case 0 -> body().cstring("select " + r.nextInt()).frame('Q');
            case 1 -> body().cstring("s" + r.nextInt(3)).cstring("select $1").int16(1).int32(23).frame('P');
            case 2 -> body().cstring("").cstring("s1").int16(1).int16(1).int16(1).int32(4).int32(r.nextInt())
                    .int16(1).int16(0).frame('B');
            case 3 -> body().byte8(r.nextBoolean() ? 'S' : 'P').cstring("s1").frame('D');
            case 4 -> body().cstring("").int32(r.nextInt(100)).frame('E');
            case 5 -> body().frame('S');
            case 6 -> body().frame('H');
            case 7 -> body().byte8('S').cstring("s1").frame('C');
            case 8 -> Frames.frame('d', new byte[r.nextInt(64)]);
            case 9 -> body().frame('c');
            case 10 -> body().cstring("bad row").frame('f');
            case 11 -> body().int32(1598).int16(0).int16(1).int32(-1).int16(0).frame('F');
            case 12 -> body().cstring("SCRAM-SHA-256").int32(-1).frame('p');
            default -> body().frame('X');
        };
    }

    public static byte[] mutate(byte[] in, SplittableRandom r) {
        byte[] b = in.clone();
        int mutations = 1 + r.nextInt(4);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> {
                    int v = switch (r.nextInt(5)) {
                        case 0 -> 0;
                        case 1 -> 3;
                        case 2 -> -1;
                        case 3 -> Integer.MAX_VALUE;
                        default -> r.nextInt(10_000);
                    };
                    if (at + 4 <= b.length) {
                        b[at] = (byte) (v >>> 24);
                        b[at + 1] = (byte) (v >>> 16);
                        b[at + 2] = (byte) (v >>> 8);
                        b[at + 3] = (byte) v;
                    }
                }
                case 2 -> b = java.util.Arrays.copyOf(b, at);
                case 3 -> b[at] = (byte) r.nextInt(256);
                case 4 -> {
                    byte[] extra = new byte[1 + r.nextInt(8)];
                    r.nextBytes(extra);
                    b = concat(java.util.Arrays.copyOf(b, at), extra, java.util.Arrays.copyOfRange(b, at, b.length));
                }
                default -> b = concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(b, Math.min(b.length, at + 1 + r.nextInt(8)), b.length));
            }
        }
        return b;
    }
}
