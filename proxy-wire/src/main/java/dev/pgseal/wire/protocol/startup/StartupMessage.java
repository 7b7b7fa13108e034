package dev.pgseal.wire.protocol.startup;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * StartupMessage: the protocol version the client asks for (3.x) and its parameters in the order
 * sent ({@code user}, {@code database}, {@code application_name}, {@code options}, GUCs, …).
 */
public final class StartupMessage implements StartupPacket {
    private final int protocolVersion;
    private final Map<String, String> parameters;

    public StartupMessage(int protocolVersion, Map<String, String> parameters) {
        this.protocolVersion = protocolVersion;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(parameters)));
    }

    /** Decodes the body after the length and the version. */
    static StartupMessage decodeParameters(int protocolVersion, ByteBuf body) {
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            String name = Wire.readCString(body);
            if (name.isEmpty()) {
                break;
            }
            params.put(name, Wire.readCString(body));
        }
        Wire.expectEnd(body, "StartupMessage");
        return new StartupMessage(protocolVersion, params);
    }

    public int protocolVersion() {
        return protocolVersion;
    }

    public int majorVersion() {
        return protocolVersion >>> 16;
    }

    public int minorVersion() {
        return protocolVersion & 0xFFFF;
    }

    /** Every parameter, in the order sent. */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** The role name; required by PostgreSQL. */
    public String user() {
        return parameters.getOrDefault("user", "");
    }

    /** The database; PostgreSQL defaults it to the user name. */
    public String database() {
        String db = parameters.get("database");
        return db == null || db.isEmpty() ? user() : db;
    }

    public String applicationName() {
        return parameters.getOrDefault("application_name", "");
    }

    /** The whole packet as PostgreSQL expects it. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.buffer(64 + parameters.size() * 32);
        buf.writeInt(0).writeInt(protocolVersion);
        parameters.forEach((k, v) -> {
            Wire.writeCString(buf, k);
            Wire.writeCString(buf, v);
        });
        buf.writeByte(0);
        buf.setInt(0, buf.writerIndex());
        return buf;
    }

    @Override
    public String toString() {
        return "StartupMessage[" + majorVersion() + "." + minorVersion() + ", user=" + user() + ", database=" + database() + "]";
    }
}
