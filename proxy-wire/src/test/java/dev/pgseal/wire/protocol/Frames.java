package dev.pgseal.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Test helpers: build protocol bytes, feed them to handlers split every way, collect what comes out. */
public final class Frames {
    private Frames() {
    }

    /** A typed message: type byte, length, body. */
    public static byte[] frame(char type, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        writeInt(out, body.length + 4);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Body builder. */
    public static final class Body {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Body cstring(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            return this;
        }

        public Body int32(int v) {
            writeInt(out, v);
            return this;
        }

        public Body int16(int v) {
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        public Body byte8(int v) {
            out.write(v);
            return this;
        }

        public Body bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        public byte[] build() {
            return out.toByteArray();
        }

        public byte[] frame(char type) {
            return Frames.frame(type, build());
        }
    }

    public static Body body() {
        return new Body();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /**
     * Feeds {@code input} to a fresh channel in the given chunks and returns what came out, as
     * descriptions (frames as hex of their bytes, other objects by toString); releases everything
     * and checks that the channel holds nothing more.
     */
    public static List<String> run(Supplier<ChannelHandler[]> handlers, byte[] input, int... cuts) {
        EmbeddedChannel ch = new EmbeddedChannel(handlers.get());
        int from = 0;
        for (int cut : cuts) {
            ch.writeInbound(Unpooled.wrappedBuffer(input, from, cut - from));
            from = cut;
        }
        ch.writeInbound(Unpooled.wrappedBuffer(input, from, input.length - from));
        List<String> out = drain(ch);
        if (ch.finish()) {
            out.addAll(drain(ch));
            throw new AssertionError("channel still held messages after finish: " + out);
        }
        return out;
    }

    /** Every way to split {@code input} in two, plus byte by byte; each must give the same output. */
    public static List<List<String>> runSplitEverywhere(Supplier<ChannelHandler[]> handlers, byte[] input) {
        List<List<String>> results = new ArrayList<>();
        for (int i = 0; i <= input.length; i++) {
            results.add(run(handlers, input, i));
        }
        int[] each = new int[Math.max(0, input.length - 1)];
        for (int i = 0; i < each.length; i++) {
            each[i] = i + 1;
        }
        results.add(run(handlers, input, each));
        return results;
    }

    static List<String> drain(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof ByteBuf b) {
                out.add(io.netty.buffer.ByteBufUtil.hexDump(b));
            } else {
                out.add(msg.toString());
            }
            ReferenceCountUtil.release(msg);
        }
        return out;
    }

    public static String hex(byte[] b) {
        return io.netty.buffer.ByteBufUtil.hexDump(b);
    }
}
