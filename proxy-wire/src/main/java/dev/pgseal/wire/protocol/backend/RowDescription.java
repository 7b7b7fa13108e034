package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
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
}
