package dev.pgseal.sql.parse;

import org.apache.calcite.sql.SqlNode;

/**
 * One statement of a parsed SQL string.
 *
 * @param node the statement's tree; positions in it are resolved by {@link ParsedSql#offset} and
 *     {@link ParsedSql#endOffset}
 * @param start offset of the statement's first token in the original text
 * @param end offset just after the statement's last token (not counting its {@code ;})
 */
public record ParsedStatement(SqlNode node, int start, int end) {
}
