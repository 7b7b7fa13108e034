package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/** RowDescription ('T'): the columns of the rows that follow. */
public record RowDescription(List<Field> fields) {
    public RowDescription {
        fields = List.copyOf(fields);
    }

    /**
     * One column.
     *
     * @param tableOid the source table's OID, 0 unless the column is a plain column reference
     * @param columnNumber the source column's attribute number, 0 unless a plain column reference
     * @param format 0 text, 1 binary
     */
    public record Field(String name, int tableOid, short columnNumber, int typeOid, short typeSize,
                        int typeModifier, short format) {
    }

    public static RowDescription decode(ByteBuf body) {
        int n = Wire.readCount(body);
        List<Field> fields = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fields.add(new Field(Wire.readCString(body), Wire.readInt(body), Wire.readShort(body),
                    Wire.readInt(body), Wire.readShort(body), Wire.readInt(body), Wire.readShort(body)));
        }
        Wire.expectEnd(body, "RowDescription");
        return new RowDescription(fields);
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'T', 2 + fields.size() * 32);
        b.writeShort(fields.size());
        for (Field f : fields) {
            Wire.writeCString(b, f.name());
            b.writeInt(f.tableOid()).writeShort(f.columnNumber()).writeInt(f.typeOid()).writeShort(f.typeSize())
                    .writeInt(f.typeModifier()).writeShort(f.format());
        }
        return FrameWriter.finish(b);
    }
}
