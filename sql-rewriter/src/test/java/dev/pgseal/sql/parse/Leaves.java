package dev.pgseal.sql.parse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/** Renders a parse's leaves as golden strings: {@code id:t.a} {@code $2} {@code lit:'x'=value}, in text order. */
final class Leaves {

    private Leaves() {
    }

    static List<String> of(ParsedSql parsed) {
        record Leaf(int offset, String text) {
        }
        List<Leaf> leaves = new ArrayList<>();
        String sql = parsed.sql();
        SqlBasicVisitor<Void> visitor = new SqlBasicVisitor<>() {
            @Override
            public Void visit(SqlIdentifier id) {
                add("id:", id);
                return null;
            }

            @Override
            public Void visit(SqlDynamicParam p) {
                int start = parsed.offset(p.getParserPosition());
                leaves.add(new Leaf(start, "param:" + slice(p) + "=" + parsed.parameterNumber(p)));
                return null;
            }

            @Override
            public Void visit(SqlLiteral l) {
                if (l instanceof PgDistinctOn d) {
                    return d.expressions().accept(this);
                }
                // Calcite adds literals with no text of their own (a join's NATURAL flag): skip them.
                boolean textless = l.getValue() instanceof Boolean
                        && !slice(l).equalsIgnoreCase(String.valueOf(l.getValue()));
                if (parsed.offset(l.getParserPosition()) >= 0 && !(l.getValue() instanceof Enum<?>) && !textless) {
                    leaves.add(new Leaf(parsed.offset(l.getParserPosition()),
                            "lit:" + slice(l) + parsed.literalText(l).map(v -> "=" + v).orElse("")));
                }
                return null;
            }

            @Override
            public Void visit(SqlCall call) {
                for (SqlNode operand : call.getOperandList()) {
                    if (operand != null) {
                        operand.accept(this);
                    }
                }
                return null;
            }

            @Override
            public Void visit(SqlNodeList list) {
                for (SqlNode n : list) {
                    if (n != null) {
                        n.accept(this);
                    }
                }
                return null;
            }

            private void add(String kind, SqlNode n) {
                leaves.add(new Leaf(parsed.offset(n.getParserPosition()), kind + slice(n)));
            }

            private String slice(SqlNode n) {
                int s = parsed.offset(n.getParserPosition());
                int e = parsed.endOffset(n.getParserPosition());
                return s < 0 ? "?" : sql.substring(s, e);
            }
        };
        for (ParsedStatement st : parsed.statements()) {
            st.node().accept(visitor);
        }
        leaves.sort(Comparator.comparingInt(Leaf::offset));
        return leaves.stream().map(Leaf::text).toList();
    }
}
